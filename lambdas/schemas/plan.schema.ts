import * as z from 'zod/mini';
import { planAceSchema } from './plan-ace.schema';
import './zod-locale';

import { findPerson, type PlanPerson, peopleIn } from '../domain/plan-people';
import { isParty, isStageKey, PARTIES, type Party, STAGE_KEYS, type StageKey } from '../domain/vocabulary';
import { formatPath } from './validation';

export { type ResolvedOwner, resolveOwner } from '../domain/plan-people';
export { isParty, isStageKey, PARTIES, type Party, STAGE_KEYS, type StageKey } from '../domain/vocabulary';

export const PLAN_LIMITS = {
  /** A plan and its milestones are written in one DynamoDB transaction (at most 100 items). */
  milestones: 50,
  risks: 10,
  escalationSteps: 5,
  nameLength: 120,
  titleLength: 200,
  longTextLength: 2000,
} as const;

const LAST_STAGE: StageKey = 'close-register-review';

// ---------------------------------------------------------------------------------------------------------
// Scalars

// Single-line fields end up in mail headers and one-line displays: no C0/C1 control characters (CR and LF
// included), no DEL, no Unicode line or paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const SINGLE_LINE = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;
// Long text may span lines (YAML block scalars), so tab, LF and CR are allowed there, and nothing else.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const MULTI_LINE = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/;
const NOT_BLANK = /\S/;

function singleLine(maxLength: number) {
  return z
    .string()
    .check(
      z.regex(NOT_BLANK, 'must not be blank'),
      z.maxLength(maxLength, `must be at most ${maxLength} characters`),
      z.regex(SINGLE_LINE, 'must be a single line without control characters (no line breaks or tabs)'),
    );
}

const nameText = singleLine(PLAN_LIMITS.nameLength);
const titleText = singleLine(PLAN_LIMITS.titleLength);
const longText = z
  .string()
  .check(
    z.regex(NOT_BLANK, 'must not be blank'),
    z.maxLength(PLAN_LIMITS.longTextLength, `must be at most ${PLAN_LIMITS.longTextLength} characters`),
    z.regex(MULTI_LINE, 'must not contain control characters other than tabs and line breaks'),
  );

const email = z.email({ error: 'must be an email address' }).check(z.maxLength(254));
/** A phone number as people write it: digits, spaces, +, -, (, ), dots; said in escalation emails ("call ..."). */
const phone = z
  .string()
  .check(
    z.regex(/^\+?[0-9 ().-]{5,30}$/, 'must be a phone number such as +1 312 555 0100'),
    z.describe('Optional phone number, given in escalation emails so the right person can be called.'),
  );

/** `YYYY-MM-DD`, and a day that exists on the calendar (2027-02-30 does not). */
const calendarDate = z.iso.date({ error: 'must be a real calendar date written YYYY-MM-DD' });
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

const time = z.string().check(z.regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time written HH:MM'));

// Region/City names only: Intl also accepts UTC offsets (+01:00) in newer runtimes, which the plan does not.
const TIME_ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
const knownTimeZones = new Map<string, boolean>();

/** Whether `name` is an IANA time zone name (`America/Chicago`, `UTC`) this runtime knows. */
export function isTimeZone(name: string): boolean {
  let known = knownTimeZones.get(name);
  if (known === undefined) {
    known = TIME_ZONE_NAME.test(name);
    if (known) {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: name });
      } catch {
        known = false;
      }
    }
    if (knownTimeZones.size < 1000) knownTimeZones.set(name, known);
  }
  return known;
}

const timeZone = z
  .string()
  .check(z.refine(isTimeZone, 'must be an IANA time zone name such as America/Chicago or UTC'));

const party = z.enum(PARTIES);

/** A list of parties, each at most once. */
function partyList(emptyMessage: string) {
  return z.array(party).check(
    z.minLength(1, emptyMessage),
    z.superRefine((parties, ctx) => {
      parties.forEach((item, index) => {
        if (parties.indexOf(item) !== index) {
          ctx.addIssue({
            code: 'custom',
            message: `${item} is listed more than once`,
            path: [index],
            input: item,
          });
        }
      });
    }),
    z.meta({ uniqueItems: true }),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Sections

const accountSchema = z
  .strictObject({
    name: nameText,
    domain: z.optional(
      z.hostname({ error: 'must be a domain name such as globex.example' }).check(z.maxLength(253)),
    ),
    context: longText,
    trigger: longText,
    partnerRelationship: z.optional(longText),
  })
  .check(z.describe('Shared account context: who the prospect is, what triggered the deal, who knows them.'));

const partnerSchema = z
  .strictObject({
    name: nameText,
    reference: z.optional(
      singleLine(PLAN_LIMITS.nameLength).check(z.describe("The partner's own reference for the deal.")),
    ),
  })
  .check(z.describe('The partner company working the deal with the vendor.'));

const money = z.number().check(z.minimum(0, 'must be 0 or more'), z.maximum(1e12));

const jointOutcomeSchema = z
  .strictObject({
    arr: z
      .strictObject({
        min: money,
        max: money,
        currency: z.currencyCode({ error: 'must be an ISO 4217 currency code such as USD' }),
      })
      .check(
        z.superRefine((arr, ctx) => {
          if (arr.min > arr.max) {
            ctx.addIssue({
              code: 'custom',
              message: `must be at least min (${arr.min})`,
              path: ['max'],
              input: arr.max,
            });
          }
        }),
      ),
    contractMonths: z.int().check(z.minimum(1), z.maximum(120)),
    closer: z.enum(['vendor', 'partner']),
    paper: z.enum(['vendor', 'partner', 'marketplace']),
    closeDate: calendarDate,
  })
  .check(z.describe("Joint outcome: the deal's shape. Milestones are worked back from closeDate."));

const economicSplitSchema = z
  .strictObject({
    recognizes: z.enum(['vendor', 'partner']),
    partnerFeePercent: z
      .number()
      .check(
        z.minimum(0, 'must be a percentage from 0 to 100'),
        z.maximum(100, 'must be a percentage from 0 to 100'),
      ),
    servicesTo: z.enum(['vendor', 'partner']),
    notes: z.optional(longText),
  })
  .check(z.describe('Economic split: who recognizes what revenue and who pays whom what fee.'));

const namedOwnerSchema = z.strictObject({
  name: nameText,
  email,
  timezone: z.optional(timeZone),
  title: z.optional(titleText),
  phone: z.optional(phone),
});

const ownersSchema = z
  .strictObject({
    vendor: namedOwnerSchema,
    partner: namedOwnerSchema,
    customer: z.optional(namedOwnerSchema),
  })
  .check(z.describe("Named owners: one person per party. The customer's sponsor may not be known yet."));

const escalationStepSchema = z.strictObject({
  name: nameText,
  email,
  role: titleText,
  phone: z.optional(phone),
  afterHours: z
    .int({ error: 'must be a positive whole number of hours' })
    .check(
      z.positive('must be a positive whole number of hours'),
      z.maximum(24 * 90),
      z.describe('Hours overdue (or silent) before this step is called; increasing along the ladder.'),
    ),
});

const escalationLadder = z.array(escalationStepSchema).check(
  z.minLength(1, 'an escalation ladder needs at least one person'),
  z.maxLength(
    PLAN_LIMITS.escalationSteps,
    `an escalation ladder has at most ${PLAN_LIMITS.escalationSteps} steps`,
  ),
  z.superRefine((ladder, ctx) => {
    for (let index = 1; index < ladder.length; index++) {
      const previous = ladder[index - 1]?.afterHours ?? 0;
      const current = ladder[index]?.afterHours ?? 0;
      if (current <= previous) {
        ctx.addIssue({
          code: 'custom',
          message: `must be greater than the previous step's afterHours (${previous})`,
          path: [index, 'afterHours'],
          input: current,
        });
      }
    }
  }),
);

const escalationSchema = z
  .strictObject({
    vendor: escalationLadder,
    partner: escalationLadder,
    customer: z.optional(escalationLadder),
  })
  .check(
    z.describe("Escalation paths: up each side's ladder, in order, when that side's milestone is stuck."),
  );

const cadenceSchema = z
  .strictObject({
    weekday: z.enum(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']),
    time,
    timezone: timeZone,
    attendees: partyList('the weekly review needs at least one party'),
  })
  .check(z.describe('The weekly 15-minute review: what moved, what is stuck, what needs an escalation.'));

const remindersSchema = z
  .strictObject({
    leadDays: z.int().check(z.minimum(0), z.maximum(30)),
    quietHours: z.strictObject({ start: time, end: time }).check(
      z.superRefine((quiet, ctx) => {
        if (quiet.start === quiet.end) {
          ctx.addIssue({
            code: 'custom',
            message: 'must differ from start',
            path: ['end'],
            input: quiet.end,
          });
        }
      }),
    ),
    maxPerRecipientPerDay: z.int().check(z.minimum(1), z.maximum(20)),
  })
  .check(z.describe("Reminders to a milestone's owner before it is due, in the recipient's timezone."));

const risksSchema = z
  .array(longText)
  .check(
    z.maxLength(
      PLAN_LIMITS.risks,
      `at most ${PLAN_LIMITS.risks} risks: name the few that could derail the deal`,
    ),
    z.describe('Risks and watch-outs: the two or three things that could derail the deal.'),
  );

// ---------------------------------------------------------------------------------------------------------
// Stages

// At most 40 characters: the id travels in every action link, which should stay under 300 characters.
const MILESTONE_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const OWNER_RULE =
  'a milestone has exactly one owner: a party (vendor, partner or customer) or the email of one person named in the plan';

const milestoneSchema = z.strictObject({
  id: z
    .string()
    .check(
      z.regex(MILESTONE_ID, 'must be a slug: lowercase letters, digits and hyphens, at most 40 characters'),
    ),
  title: titleText,
  owner: z
    .string({ error: OWNER_RULE })
    .check(
      z.maxLength(254, OWNER_RULE),
      z.describe(
        'Exactly one owner: a party (its named owner acts) or the email of a person named in the plan.',
      ),
    ),
  due: calendarDate,
  handoff: z.optional(
    z
      .strictObject({ from: party, to: party })
      .check(
        z.describe("Passes the baton between two parties; `to` is the owner's party, which must accept it."),
      ),
  ),
});

function stageSchema(key: StageKey) {
  return z.strictObject(
    {
      /** The gate: the one criterion that must be met before the deal advances. */
      exit: longText,
      confirmedBy: partyList('at least one party confirms the gate'),
      milestones: z.array(milestoneSchema),
      deadline: z.optional(calendarDate),
    },
    {
      error: (issue) =>
        issue.code === 'invalid_type' && issue.input === undefined
          ? `missing stage ${key}: a plan has all five stages (${STAGE_KEYS.join(', ')})`
          : undefined,
    },
  );
}

const stagesObject = z
  .strictObject(
    {
      'target-account-selection': stageSchema('target-account-selection'),
      'door-opener': stageSchema('door-opener'),
      'joint-discovery': stageSchema('joint-discovery'),
      'joint-pursuit-and-proof': stageSchema('joint-pursuit-and-proof'),
      'close-register-review': stageSchema('close-register-review'),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown stage ${issue.keys.map((key) => `"${key}"`).join(', ')}: the stages are ${STAGE_KEYS.join(', ')}`
          : undefined,
    },
  )
  .check(
    z.describe('The five gated stages, in playbook order, each with its exit criterion and milestones.'),
  );

/**
 * The object schema rebuilds its output in shape order, so the order the author wrote the stages in is only
 * visible before it runs. An issue here stops the stages from being checked further: fix the order first.
 */
const stagesInPlaybookOrder = z.transform((input: unknown, payload) => {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const written = Object.keys(input).filter(isStageKey);
    const expected = STAGE_KEYS.filter((key) => written.includes(key));
    if (written.some((key, index) => key !== expected[index])) {
      payload.issues.push({
        code: 'custom',
        message: `stages must be in playbook order (${expected.join(', ')}), not ${written.join(', ')}`,
        input,
        path: [],
      });
    }
  }
  return input;
});

const stagesSchema = z.pipe(stagesInPlaybookOrder, stagesObject);

// ---------------------------------------------------------------------------------------------------------
// The plan

/** A plan's own id (`cosell plan apply` creates or amends the deal of that id). */
export const PLAN_ID = /^[a-z0-9-]{3,63}$/;

const planObject = z.strictObject({
  apiVersion: z.literal('cosell/v1'),
  kind: z.literal('CoSellPlan'),
  id: z.optional(
    z
      .string()
      .check(
        z.regex(PLAN_ID, 'must be 3 to 63 lower-case letters, digits and dashes'),
        z.describe("The deal's planId: apply creates the deal of this id, or amends it when it exists."),
      ),
  ),
  name: titleText,
  account: accountSchema,
  partner: partnerSchema,
  jointOutcome: jointOutcomeSchema,
  attribution: z.enum(['sourced', 'influenced']),
  economicSplit: economicSplitSchema,
  owners: ownersSchema,
  escalation: escalationSchema,
  risks: risksSchema,
  cadence: cadenceSchema,
  reminders: remindersSchema,
  stages: stagesSchema,
  ace: z.optional(planAceSchema),
});

type PlanObject = z.output<typeof planObject>;

function checkPlan(plan: PlanObject, ctx: z.core.$RefinementCtx<PlanObject>): void {
  const fail = (path: PropertyKey[], message: string, input: unknown) =>
    ctx.addIssue({ code: 'custom', path, message, input });
  const people = peopleIn(plan);

  // A person belongs to one party, or an email owner could not be resolved to one.
  const partyOfEmail = new Map<string, PlanPerson>();
  for (const person of people) {
    const key = person.email.toLowerCase();
    const first = partyOfEmail.get(key);
    if (!first) partyOfEmail.set(key, person);
    else if (first.party !== person.party) {
      fail(
        [...person.path, 'email'],
        `${person.email} is already listed for ${first.party} at ${formatPath(first.path)}: a person belongs to one party`,
        person.email,
      );
    }
  }

  const hasNamedOwner = (candidate: Party) => plan.owners[candidate] !== undefined;
  const checkNamedOwners = (parties: Party[], path: PropertyKey[]) => {
    parties.forEach((item, index) => {
      if (!hasNamedOwner(item)) fail([...path, index], `${item} has no named owner in owners.${item}`, item);
    });
  };
  checkNamedOwners(plan.cadence.attendees, ['cadence', 'attendees']);

  const firstUse = new Map<string, PropertyKey[]>();
  let milestoneCount = 0;
  for (const key of STAGE_KEYS) {
    const stage = plan.stages[key];
    checkNamedOwners(stage.confirmedBy, ['stages', key, 'confirmedBy']);
    stage.milestones.forEach((milestone, index) => {
      milestoneCount++;
      const path = ['stages', key, 'milestones', index];

      const used = firstUse.get(milestone.id);
      if (used) {
        fail(
          [...path, 'id'],
          `duplicate milestone id "${milestone.id}", first used at ${formatPath(used)}`,
          milestone.id,
        );
      } else firstUse.set(milestone.id, path);

      let ownerParty: Party | undefined;
      const owner = milestone.owner;
      if (isParty(owner)) {
        if (hasNamedOwner(owner)) ownerParty = owner;
        else fail([...path, 'owner'], `${owner} has no named owner in owners.${owner}`, owner);
      } else if (email.safeParse(owner).success) {
        ownerParty = findPerson(people, owner)?.party;
        if (!ownerParty) {
          fail(
            [...path, 'owner'],
            `${owner} is not named in this plan (owners or escalation): ${OWNER_RULE}`,
            owner,
          );
        }
      } else {
        fail([...path, 'owner'], `"${owner}" is not one owner: ${OWNER_RULE}`, owner);
      }

      const handoff = milestone.handoff;
      if (handoff && handoff.from === handoff.to) {
        fail(
          [...path, 'handoff'],
          `a handoff passes between two parties, but from and to are both ${handoff.from}`,
          handoff,
        );
      } else if (handoff && ownerParty && handoff.to !== ownerParty) {
        fail(
          [...path, 'handoff', 'to'],
          `must be ${ownerParty}, the party of the milestone's owner, which receives the handoff`,
          handoff.to,
        );
      }

      const closeDate = plan.jointOutcome.closeDate;
      const comparable = CALENDAR_DATE.test(milestone.due) && CALENDAR_DATE.test(closeDate);
      if (comparable && key !== LAST_STAGE && milestone.due > closeDate) {
        fail(
          [...path, 'due'],
          `${milestone.due} is after the close date ${closeDate}: only ${LAST_STAGE} milestones may fall after it`,
          milestone.due,
        );
      }
    });
  }

  if (milestoneCount > PLAN_LIMITS.milestones) {
    fail(
      ['stages'],
      `a plan has at most ${PLAN_LIMITS.milestones} milestones, this one has ${milestoneCount}`,
      plan.stages,
    );
  }
}

/** A co-sell plan: one joint deal, its seven sections and its five gated stages. */
export const planSchema = planObject.check(z.superRefine(checkPlan));

export type Plan = z.output<typeof planSchema>;
export type Stage = Plan['stages'][StageKey];
export type Milestone = Stage['milestones'][number];
export type NamedOwner = z.output<typeof namedOwnerSchema>;
export type EscalationStep = z.output<typeof escalationStepSchema>;
