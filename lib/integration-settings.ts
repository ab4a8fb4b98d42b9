import * as z from 'zod/mini';

/**
 * The tenant file's integration settings: chat and webhook `channels`, and `ace` (AWS Partner Central).
 * File-only (no CDK context keys): a channel names a Secrets Manager secret, never its URL, so nothing
 * secret is ever in the file, the context or the template.
 */

export const CHANNEL_KINDS = ['slack', 'teams', 'webhook'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** The moments a channel can be told of, as the event names them (the value is the event's detail-type). */
export const CHANNEL_EVENTS = {
  'plan-started': 'CoSell Plan Started',
  'stage-advanced': 'CoSell Stage Advanced',
  'milestone-slipped': 'CoSell Milestone Slipped',
  escalated: 'CoSell Escalated',
  'needs-attention': 'CoSell Needs Attention',
  registered: 'CoSell Deal Registered',
  'closed-lost': 'CoSell Deal Closed Lost',
} as const;
export type ChannelEvent = keyof typeof CHANNEL_EVENTS;

/** Stage passed, slipped, stuck (escalated), needs attention, registered, closed lost. */
export const DEFAULT_CHANNEL_EVENTS: readonly ChannelEvent[] = [
  'stage-advanced',
  'milestone-slipped',
  'escalated',
  'needs-attention',
  'registered',
  'closed-lost',
];

const channelName = z
  .string()
  .check(
    z.regex(/^[a-z][a-z0-9-]{0,39}$/, 'channels[].name must be 1-40 lower-case letters, digits, dashes'),
  );

export const ChannelSettingSchema = z.strictObject({
  name: channelName,
  kind: z.enum(CHANNEL_KINDS, { error: 'channels[].kind must be slack, teams or webhook' }),
  /**
   * The Secrets Manager secret holding the channel: `{"url": "https://hooks.slack.com/..."}` (slack, teams),
   * `{"url": "...", "apiKey": "..."}` (webhook, sent as the `x-api-key` header).
   */
  secretName: z
    .string()
    .check(z.regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'channels[].secretName must be a secret name')),
  /** Only this partner's deals (a channel shared with that partner: never the economic split). */
  partner: z.optional(z.string().check(z.minLength(1))),
  events: z.optional(
    z.array(
      z.enum(Object.keys(CHANNEL_EVENTS) as [ChannelEvent, ...ChannelEvent[]], {
        error: `channels[].events must be among ${Object.keys(CHANNEL_EVENTS).join(', ')}`,
      }),
    ),
  ),
  /** Local runtime only: the URL the local bus posts to (no secret store locally). Never read by the stack. */
  url: z.optional(
    z
      .string()
      .check(
        z.refine((v) => /^(https?:\/\/\S+|\/\S*)$/.test(v), 'channels[].url must be a URL or a local path'),
      ),
  ),
});
export type ChannelSetting = z.output<typeof ChannelSettingSchema>;

export const ACE_CATALOGS = ['Sandbox', 'AWS'] as const;
export type AceCatalog = (typeof ACE_CATALOGS)[number];

export const AceSettingSchema = z.strictObject({
  catalog: z.enum(ACE_CATALOGS, { error: 'ace.catalog must be Sandbox or AWS' }),
  /** The Partner Central solution each opportunity is associated with (`S-...`). */
  solutionId: z.optional(z.string().check(z.regex(/^S-\d+$/, 'ace.solutionId must look like S-0000001'))),
  /** Which deals are co-sold with AWS, by the plan's `jointOutcome.paper`. */
  onlyPaper: z._default(z.array(z.enum(['vendor', 'partner', 'marketplace'])), ['marketplace']),
});
export type AceSetting = z.output<typeof AceSettingSchema>;

/** Spread into the tenant settings schema. */
export const integrationSettings = {
  channels: z._default(
    z
      .array(ChannelSettingSchema)
      .check(
        z.refine(
          (list) => new Set(list.map((c) => c.name)).size === list.length,
          'channels[].name must be unique',
        ),
      ),
    [],
  ),
  ace: z.optional(AceSettingSchema),
};

/** The detail-types a channel takes. */
export function channelDetailTypes(channel: Pick<ChannelSetting, 'events'>): string[] {
  return (channel.events ?? DEFAULT_CHANNEL_EVENTS).map((e) => CHANNEL_EVENTS[e]);
}
