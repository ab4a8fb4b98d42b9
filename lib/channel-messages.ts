import { CHANNEL_EVENTS, type ChannelEvent, type ChannelKind } from './integration-settings';

/**
 * The message each channel kind gets for each moment, as an EventBridge input transformer (`InputPathsMap`
 * + `InputTemplate`). Plain data: the Channels construct puts it on each rule's target, and the local event
 * bus (local/event-rules.ts) renders the very same transformer, so a message looks the same locally.
 *
 * Every message names the deal, partner, account and stage, says what happened, and links to the deal
 * room: the vendor-side room link for internal channels, the partner-side one for a channel shared with
 * the partner. A shared channel never gets the economic split nor the vendor's room link: its webhook body
 * picks each moment's fields one by one instead of posting the whole detail.
 */

export interface TransformerInput {
  readonly inputPathsMap: Readonly<Record<string, string>>;
  readonly inputTemplate: string;
}

/** What each moment says, and where its stage is (a literal for the registration: it passed stage 5). */
const MOMENTS: Record<ChannelEvent, { happened: string; paths: Record<string, string>; stage: string }> = {
  'plan-started': { happened: 'Plan started', paths: {}, stage: '$.detail.stage' },
  'stage-advanced': {
    happened: 'Stage passed: <from> → <to>, after <daysInStage> days',
    paths: { from: '$.detail.from', to: '$.detail.to', daysInStage: '$.detail.daysInStage' },
    stage: '$.detail.to',
  },
  'milestone-slipped': {
    happened:
      'Milestone slipped: <milestone> moved <slipFrom> → <slipTo> (<slipDays> days); close date now <closeTo>',
    paths: {
      milestone: '$.detail.milestone.title',
      slipFrom: '$.detail.from',
      slipTo: '$.detail.to',
      slipDays: '$.detail.days',
      closeTo: '$.detail.closeDate.to',
    },
    stage: '$.detail.milestone.stage',
  },
  escalated: {
    happened: 'Escalated (<what>) to <toName>',
    paths: { what: '$.detail.what', toName: '$.detail.to.name' },
    stage: '$.detail.stage',
  },
  'needs-attention': {
    happened: 'Needs attention: <what> <reason>',
    paths: { what: '$.detail.what', reason: '$.detail.reason' },
    stage: '$.detail.stage',
  },
  registered: {
    happened: 'Won and registered: ARR <arr> <currency>',
    paths: { arr: '$.detail.arr.amount', currency: '$.detail.arr.currency' },
    stage: 'close-register-review',
  },
  'closed-lost': {
    happened: 'Closed lost: <reason>',
    paths: { reason: '$.detail.reason' },
    stage: '$.detail.stage',
  },
};

/** The moment a detail-type is, or undefined for one no channel takes. */
export function channelEventOf(detailType: string): ChannelEvent | undefined {
  return (Object.entries(CHANNEL_EVENTS) as [ChannelEvent, string][]).find(([, t]) => t === detailType)?.[0];
}

/** Every moment's fields but the deal room links (`links` goes to a shared channel as the partner's alone). */
const COMMON_FIELDS = [
  'schemaVersion',
  'eventId',
  'planId',
  'tenant',
  'planName',
  'occurredAt',
  'partner',
  'account',
] as const;

/** The registration fields a partner-shared webhook gets: everything but `economicSplit` and the links. */
const SHARED_REGISTRATION_FIELDS = [
  'schemaVersion',
  'registrationId',
  'planId',
  'tenant',
  'planName',
  'partner',
  'account',
  'outcome',
  'arr',
  'closeDate',
  'closedAt',
  'closeOutcome',
  'reason',
  'stage',
  'partnerCentral',
] as const;

/**
 * The fields of each moment a partner-shared webhook gets, picked one by one (never the whole detail, whose
 * `links.vendorRoom` is the vendor owner's own view link), with `links` holding the partner's room only.
 */
const SHARED_FIELDS: Record<ChannelEvent, readonly string[]> = {
  'plan-started': [...COMMON_FIELDS, 'attribution', 'plannedArr', 'closeDate', 'stage'],
  'stage-advanced': [...COMMON_FIELDS, 'from', 'to', 'daysInStage', 'confirmedBy'],
  'milestone-slipped': [
    ...COMMON_FIELDS,
    'milestone',
    'from',
    'to',
    'days',
    'closeDate',
    'by',
    'reason',
    'choice',
    'moved',
  ],
  escalated: [...COMMON_FIELDS, 'what', 'stage', 'milestone', 'party', 'rung', 'to', 'reason'],
  'needs-attention': [...COMMON_FIELDS, 'stage', 'what', 'reason', 'aceOpportunityId', 'to'],
  registered: SHARED_REGISTRATION_FIELDS,
  'closed-lost': SHARED_REGISTRATION_FIELDS,
};

export function channelMessage(kind: ChannelKind, event: ChannelEvent, shared: boolean): TransformerInput {
  if (kind === 'webhook') return webhookBody(event, shared);
  const moment = MOMENTS[event];
  const stage = moment.stage.startsWith('$.') ? '<stage>' : moment.stage;
  const inputPathsMap: Record<string, string> = {
    planName: '$.detail.planName',
    partner: '$.detail.partner.name',
    account: '$.detail.account.name',
    room: shared ? '$.detail.links.partnerRoom' : '$.detail.links.vendorRoom',
    ...(moment.stage.startsWith('$.') ? { stage: moment.stage } : {}),
    ...moment.paths,
  };
  const facts = `Partner: <partner> · Account: <account> · Stage: ${stage}`;
  if (kind === 'slack') {
    return {
      inputPathsMap,
      inputTemplate: `{"text": "*<planName>*: ${moment.happened}\\n${facts}\\n<<room>|Open the deal room>"}`,
    };
  }
  // Teams: an Office 365 connector card (incoming webhook), with the room as its one action.
  return {
    inputPathsMap,
    inputTemplate:
      `{"@type": "MessageCard", "@context": "https://schema.org/extensions", ` +
      `"summary": "<planName>: ${moment.happened}", "title": "<planName>: ${moment.happened}", ` +
      `"text": "${facts}", "potentialAction": [{"@type": "OpenUri", "name": "Open the deal room", ` +
      `"targets": [{"os": "default", "uri": "<room>"}]}]}`,
  };
}

/**
 * The event's `detail` as JSON for an internal channel. A partner-shared channel gets the moment's fields one
 * by one (a field the event lacks is `null`): never the economic split, and of the links only `partnerRoom`.
 */
function webhookBody(event: ChannelEvent, shared: boolean): TransformerInput {
  if (!shared) return { inputPathsMap: { detail: '$.detail' }, inputTemplate: '<detail>' };
  const fields = SHARED_FIELDS[event];
  const inputPathsMap: Record<string, string> = {
    ...Object.fromEntries(fields.map((f) => [f, `$.detail.${f}`])),
    partnerRoom: '$.detail.links.partnerRoom',
  };
  const body = [...fields.map((f) => `"${f}": <${f}>`), '"links": {"partnerRoom": <partnerRoom>}'];
  return { inputPathsMap, inputTemplate: `{${body.join(', ')}}` };
}

/** An EventBridge event pattern, in the JSON form EventBridge stores. */
export interface EventPatternJson {
  source: string[];
  'detail-type': string[];
  detail?: Record<string, unknown>;
}

/** The pattern of a channel's rule for one moment: the detail-type, and the partner for a shared channel. */
export function channelPattern(
  channel: { partner?: string | undefined },
  detailType: string,
): EventPatternJson {
  return {
    source: ['cosell.flow'],
    'detail-type': [detailType],
    ...(channel.partner !== undefined
      ? { detail: { partner: { name: [{ 'equals-ignore-case': channel.partner }] } } }
      : {}),
  };
}
