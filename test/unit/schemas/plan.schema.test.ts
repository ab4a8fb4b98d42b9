import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CORE_SCHEMA, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  type Milestone,
  PARTIES,
  type Plan,
  planSchema,
  resolveOwner,
  STAGE_KEYS,
} from '../../../lambdas/schemas/plan.schema';
import { formatIssues, formatPath, type ValidationIssue } from '../../../lambdas/schemas/validation';
import {
  buildPlanJsonSchema,
  PLAN_JSON_SCHEMA_FILE,
  renderPlanJsonSchema,
} from '../../../scripts/export-plan-json-schema';

const EXAMPLE_FILE = fileURLToPath(new URL('../../../../shared/plan-example.yaml', import.meta.url));
const EXAMPLE = load(readFileSync(EXAMPLE_FILE, 'utf8'), { schema: CORE_SCHEMA }) as Plan;

/** A deep copy of the reference example, safe to mutate. */
function example(): Plan {
  return structuredClone(EXAMPLE);
}

/** Sets a value the types would refuse: the point of a negative case. */
function set(target: object, key: string, value: unknown): void {
  (target as Record<string, unknown>)[key] = value;
}

function remove(target: object, key: string): void {
  delete (target as Record<string, unknown>)[key];
}

function milestone(plan: Plan, stage: (typeof STAGE_KEYS)[number], index: number): Milestone {
  const found = plan.stages[stage].milestones[index];
  if (!found) throw new Error(`no milestone ${stage}[${index}] in the example`);
  return found;
}

function issuesOf(input: unknown): ValidationIssue[] {
  const result = planSchema.safeParse(input);
  if (result.success) throw new Error('expected the plan to be rejected, but it was accepted');
  return formatIssues(result.error);
}

function issue(path: string, message: RegExp) {
  return expect.objectContaining({ path, message: expect.stringMatching(message) });
}

describe('planSchema', () => {
  it('accepts the reference example unchanged', () => {
    // Prepare
    const input = example();

    // Act
    const result = planSchema.safeParse(input);

    // Assess
    expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
    expect(result.data).toEqual(EXAMPLE);
    expect(result.data?.jointOutcome.closeDate).toBe('2027-02-26');
  });

  it('accepts a close-register-review milestone due after the close date (the example debrief)', () => {
    // Prepare
    const plan = example();
    const debrief = milestone(plan, 'close-register-review', 1);

    // Act
    const result = planSchema.safeParse(plan);

    // Assess
    expect(debrief.id).toBe('debrief');
    expect(debrief.due > plan.jointOutcome.closeDate).toBe(true);
    expect(result.success).toBe(true);
  });

  it('accepts a plan with no customer owner when nothing relies on one', () => {
    // Prepare
    const plan = example();
    remove(plan.owners, 'customer');
    remove(plan.escalation, 'customer');
    plan.stages['joint-pursuit-and-proof'].confirmedBy = ['vendor', 'partner'];
    milestone(plan, 'joint-pursuit-and-proof', 0).handoff = { from: 'vendor', to: 'partner' };
    milestone(plan, 'joint-pursuit-and-proof', 2).owner = 'partner';
    const procurement = milestone(plan, 'close-register-review', 0);
    procurement.owner = 'vendor';
    procurement.handoff = { from: 'partner', to: 'vendor' };

    // Act
    const result = planSchema.safeParse(plan);

    // Assess
    expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
  });

  it('accepts a milestone owned by the email of a person on an escalation ladder, in any letter case', () => {
    // Prepare
    const plan = example();
    const review = milestone(plan, 'joint-pursuit-and-proof', 0);
    review.owner = 'Raj.Mehta@Northwind.example';

    // Act
    const result = planSchema.safeParse(plan);

    // Assess
    expect(review.handoff?.to).toBe('partner');
    expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
  });

  it('accepts line breaks in long text', () => {
    // Prepare
    const plan = example();
    plan.account.context = 'Mid-market manufacturer.\nReplacing a legacy MES.\r\n\tSupport ends in March.';

    // Act
    const result = planSchema.safeParse(plan);

    // Assess
    expect(result.success).toBe(true);
  });

  it('reports every problem it can find at once, each with its path', () => {
    // Prepare
    const plan = example();
    set(plan.owners.vendor, 'emial', 'ana@vendor.example');
    plan.jointOutcome.closeDate = '2027-02-30';
    plan.name = 'Globex\r\nBcc: everyone@example.com';

    // Act
    const issues = issuesOf(plan);

    // Assess
    expect(issues).toEqual(
      expect.arrayContaining([
        issue('owners.vendor', /Unrecognized key: "emial"/),
        issue('jointOutcome.closeDate', /real calendar date/),
        issue('name', /single line/),
      ]),
    );
  });

  const long = (length: number) => 'x'.repeat(length);

  const rejected: [rule: string, mutate: (plan: Plan) => void, path: string, message: RegExp][] = [
    // Header
    ['apiVersion is cosell/v1', (p) => set(p, 'apiVersion', 'cosell/v2'), 'apiVersion', /"cosell\/v1"/],
    ['kind is CoSellPlan', (p) => set(p, 'kind', 'Plan'), 'kind', /"CoSellPlan"/],
    ['a plan has a name', (p) => remove(p, 'name'), 'name', /expected string, received undefined/],

    // Unknown keys
    ['no unknown top-level keys', (p) => set(p, 'risk', []), '(root)', /Unrecognized key: "risk"/],
    ['no unknown owner keys', (p) => set(p.owners.vendor, 'mobile', '555'), 'owners.vendor', /"mobile"/],
    [
      'no unknown milestone keys',
      (p) => set(milestone(p, 'door-opener', 0), 'owners', 'partner'),
      'stages.door-opener.milestones[0]',
      /Unrecognized key: "owners"/,
    ],

    // Stages
    [
      'all five stages are present',
      (p) => remove(p.stages, 'door-opener'),
      'stages.door-opener',
      /missing stage door-opener/,
    ],
    [
      'no unknown stage keys',
      (p) => set(p.stages, 'kickoff', { exit: 'x', confirmedBy: ['vendor'], milestones: [] }),
      'stages',
      /unknown stage "kickoff": the stages are target-account-selection, door-opener/,
    ],
    [
      'stages are in playbook order',
      (p) => {
        const { 'door-opener': doorOpener, ...rest } = p.stages;
        p.stages = { 'door-opener': doorOpener, ...rest };
      },
      'stages',
      /must be in playbook order \(target-account-selection, door-opener, .*\), not door-opener, target-account-selection/,
    ],
    [
      'a stage confirms with at least one party',
      (p) => {
        p.stages['door-opener'].confirmedBy = [];
      },
      'stages.door-opener.confirmedBy',
      /at least one party/,
    ],
    [
      'confirmedBy lists each party once',
      (p) => {
        p.stages['door-opener'].confirmedBy = ['partner', 'partner'];
      },
      'stages.door-opener.confirmedBy[1]',
      /partner is listed more than once/,
    ],
    [
      'confirmedBy parties are parties',
      (p) => set(p.stages['door-opener'], 'confirmedBy', ['reseller']),
      'stages.door-opener.confirmedBy[0]',
      /expected one of "vendor"\|"partner"\|"customer"/,
    ],
    [
      'confirmedBy parties have a named owner',
      (p) => remove(p.owners, 'customer'),
      'stages.joint-pursuit-and-proof.confirmedBy[0]',
      /customer has no named owner in owners.customer/,
    ],
    [
      'a stage deadline is a real date',
      (p) => {
        p.stages['door-opener'].deadline = '2027-13-01';
      },
      'stages.door-opener.deadline',
      /real calendar date written YYYY-MM-DD/,
    ],
    [
      'a plan has at most 50 milestones',
      (p) => {
        const extra = Array.from({ length: 42 }, (_, i) => ({
          id: `extra-${i}`,
          title: `Extra step ${i}`,
          owner: 'vendor',
          due: '2027-03-10',
        }));
        p.stages['close-register-review'].milestones.push(...extra);
      },
      'stages',
      /at most 50 milestones, this one has 51/,
    ],

    // Milestones
    [
      'milestone ids are unique across the plan',
      (p) => {
        milestone(p, 'joint-discovery', 1).id = 'fit-check';
      },
      'stages.joint-discovery.milestones[1].id',
      /duplicate milestone id "fit-check", first used at stages.target-account-selection.milestones\[0\]/,
    ],
    [
      'milestone ids are slugs',
      (p) => {
        milestone(p, 'door-opener', 0).id = 'Warm Intro';
      },
      'stages.door-opener.milestones[0].id',
      /must be a slug/,
    ],
    [
      'milestone ids are at most 40 characters',
      (p) => {
        milestone(p, 'door-opener', 0).id = long(41);
      },
      'stages.door-opener.milestones[0].id',
      /at most 40 characters/,
    ],
    [
      'a milestone has one owner, not two parties',
      (p) => {
        milestone(p, 'joint-discovery', 0).owner = 'vendor, partner';
      },
      'stages.joint-discovery.milestones[0].owner',
      /"vendor, partner" is not one owner: a milestone has exactly one owner/,
    ],
    [
      'a milestone owner is not a list',
      (p) => set(milestone(p, 'joint-discovery', 0), 'owner', ['vendor', 'partner']),
      'stages.joint-discovery.milestones[0].owner',
      /a milestone has exactly one owner/,
    ],
    [
      'an email owner is a person named in the plan',
      (p) => {
        milestone(p, 'joint-discovery', 0).owner = 'someone@vendor.example';
      },
      'stages.joint-discovery.milestones[0].owner',
      /someone@vendor.example is not named in this plan \(owners or escalation\)/,
    ],
    [
      'a party owner has a named owner',
      (p) => remove(p.owners, 'customer'),
      'stages.joint-pursuit-and-proof.milestones[2].owner',
      /customer has no named owner in owners.customer/,
    ],
    [
      'a milestone is due on a real date',
      (p) => {
        milestone(p, 'door-opener', 0).due = '2026-12-4';
      },
      'stages.door-opener.milestones[0].due',
      /real calendar date written YYYY-MM-DD/,
    ],
    [
      'no milestone is due after the close date before close-register-review',
      (p) => {
        milestone(p, 'joint-pursuit-and-proof', 2).due = '2027-03-01';
      },
      'stages.joint-pursuit-and-proof.milestones[2].due',
      /2027-03-01 is after the close date 2027-02-26: only close-register-review milestones/,
    ],
    [
      'a handoff is between two different parties',
      (p) => {
        milestone(p, 'joint-pursuit-and-proof', 0).handoff = { from: 'partner', to: 'partner' };
      },
      'stages.joint-pursuit-and-proof.milestones[0].handoff',
      /from and to are both partner/,
    ],
    [
      "a handoff goes to the owner's party",
      (p) => {
        milestone(p, 'joint-pursuit-and-proof', 1).handoff = { from: 'partner', to: 'customer' };
      },
      'stages.joint-pursuit-and-proof.milestones[1].handoff.to',
      /must be vendor, the party of the milestone's owner/,
    ],
    [
      "a handoff goes to the party of the owner's email",
      (p) => {
        const review = milestone(p, 'joint-pursuit-and-proof', 0);
        review.owner = 'raj.mehta@northwind.example';
        review.handoff = { from: 'customer', to: 'vendor' };
      },
      'stages.joint-pursuit-and-proof.milestones[0].handoff.to',
      /must be partner/,
    ],

    // Dates, times, timezones
    [
      'the close date is a real calendar date',
      (p) => {
        p.jointOutcome.closeDate = '2027-02-30';
      },
      'jointOutcome.closeDate',
      /real calendar date/,
    ],
    [
      'owner timezones are IANA names',
      (p) => {
        p.owners.vendor.timezone = 'Mars/Olympus_Mons';
      },
      'owners.vendor.timezone',
      /IANA time zone name/,
    ],
    [
      'the cadence timezone is an IANA name, not an offset',
      (p) => {
        p.cadence.timezone = '+01:00';
      },
      'cadence.timezone',
      /IANA time zone name/,
    ],
    ['the cadence time is HH:MM', (p) => set(p.cadence, 'time', '9:30'), 'cadence.time', /HH:MM/],
    ['the cadence time exists', (p) => set(p.cadence, 'time', '24:00'), 'cadence.time', /24-hour time/],
    [
      'the cadence weekday is MON..SUN',
      (p) => set(p.cadence, 'weekday', 'Monday'),
      'cadence.weekday',
      /expected one of "MON"/,
    ],
    [
      'cadence attendees have a named owner',
      (p) => {
        remove(p.owners, 'customer');
        p.cadence.attendees = ['vendor', 'customer'];
      },
      'cadence.attendees[1]',
      /customer has no named owner/,
    ],
    [
      'quiet hours start and end differ',
      (p) => {
        p.reminders.quietHours = { start: '19:00', end: '19:00' };
      },
      'reminders.quietHours.end',
      /must differ from start/,
    ],

    // Numbers
    [
      'the partner fee is at most 100 percent',
      (p) => {
        p.economicSplit.partnerFeePercent = 120;
      },
      'economicSplit.partnerFeePercent',
      /percentage from 0 to 100/,
    ],
    [
      'the partner fee is not negative',
      (p) => {
        p.economicSplit.partnerFeePercent = -1;
      },
      'economicSplit.partnerFeePercent',
      /percentage from 0 to 100/,
    ],
    [
      'ARR min is at most ARR max',
      (p) => {
        p.jointOutcome.arr = { min: 150000, max: 120000, currency: 'USD' };
      },
      'jointOutcome.arr.max',
      /must be at least min \(150000\)/,
    ],
    [
      'ARR is not negative',
      (p) => {
        p.jointOutcome.arr.min = -1;
      },
      'jointOutcome.arr.min',
      /must be 0 or more/,
    ],
    [
      'the currency is an ISO 4217 code',
      (p) => {
        p.jointOutcome.arr.currency = 'usd';
      },
      'jointOutcome.arr.currency',
      /ISO 4217 currency code/,
    ],
    [
      'escalation afterHours increase along the ladder',
      (p) => {
        const second = p.escalation.vendor[1];
        if (second) second.afterHours = 24;
      },
      'escalation.vendor[1].afterHours',
      /greater than the previous step's afterHours \(24\)/,
    ],
    [
      'escalation afterHours are positive',
      (p) => set(p.escalation.partner[0] ?? {}, 'afterHours', 0),
      'escalation.partner[0].afterHours',
      /positive whole number of hours/,
    ],
    [
      'escalation afterHours are whole hours',
      (p) => set(p.escalation.partner[0] ?? {}, 'afterHours', 1.5),
      'escalation.partner[0].afterHours',
      /must be a positive whole number of hours/,
    ],

    // People
    [
      'owner emails are valid',
      (p) => {
        p.owners.partner.email = 'dana.whit';
      },
      'owners.partner.email',
      /must be an email address/,
    ],
    [
      'escalation emails are valid',
      (p) => set(p.escalation.vendor[0] ?? {}, 'email', 'sam ortiz@vendor.example'),
      'escalation.vendor[0].email',
      /must be an email address/,
    ],
    [
      'a person belongs to one party',
      (p) => set(p.escalation.partner[0] ?? {}, 'email', 'sam.ortiz@vendor.example'),
      'escalation.partner[0].email',
      /already listed for vendor at escalation.vendor\[0\]: a person belongs to one party/,
    ],

    // Text
    [
      'names are at most 120 characters',
      (p) => {
        p.owners.vendor.name = long(121);
      },
      'owners.vendor.name',
      /at most 120 characters/,
    ],
    [
      'titles are at most 200 characters',
      (p) => {
        milestone(p, 'door-opener', 0).title = long(201);
      },
      'stages.door-opener.milestones[0].title',
      /at most 200 characters/,
    ],
    [
      'long text is at most 2000 characters',
      (p) => {
        p.account.context = long(2001);
      },
      'account.context',
      /at most 2000 characters/,
    ],
    [
      'a plan lists at most 10 risks',
      (p) => {
        p.risks = Array.from({ length: 11 }, (_, i) => `Risk ${i}`);
      },
      'risks',
      /at most 10 risks/,
    ],
    [
      'names are not blank',
      (p) => {
        p.partner.name = '   ';
      },
      'partner.name',
      /must not be blank/,
    ],
    [
      'titles have no line breaks (they end up in mail headers)',
      (p) => {
        milestone(p, 'door-opener', 0).title = 'Warm intro\r\nBcc: everyone@example.com';
      },
      'stages.door-opener.milestones[0].title',
      /single line without control characters/,
    ],
    [
      'names have no tabs',
      (p) => {
        p.owners.customer = { name: 'Lee\tPark', email: 'lee.park@globex.example' };
      },
      'owners.customer.name',
      /single line/,
    ],
    [
      'names have no DEL',
      (p) => {
        p.partner.name = 'Northwind\u007f';
      },
      'partner.name',
      /control characters/,
    ],
    [
      'long text has no NUL',
      (p) => {
        p.account.trigger = 'Support ends\u0000 soon.';
      },
      'account.trigger',
      /must not contain control characters other than tabs and line breaks/,
    ],
    [
      'risks have no control characters',
      (p) => {
        p.risks = ['fine', 'bell\u0007'];
      },
      'risks[1]',
      /control characters/,
    ],
  ];

  it.each(rejected)('rejects a plan that breaks the rule: %s', (_rule, mutate, path, message) => {
    // Prepare
    const plan = example();
    mutate(plan);

    // Act
    const issues = issuesOf(plan);

    // Assess
    expect(issues).toContainEqual(issue(path, message));
  });
});

describe('resolveOwner', () => {
  it('resolves a party to its named owner', () => {
    // Prepare
    const plan = example();

    // Act
    const owner = resolveOwner(plan, milestone(plan, 'target-account-selection', 0));

    // Assess
    expect(owner).toEqual({
      party: 'vendor',
      name: 'Ana Ruiz',
      email: 'ana.ruiz@vendor.example',
      timezone: 'America/Chicago',
    });
  });

  it('resolves an email of a named owner to that owner, with their own timezone', () => {
    // Prepare
    const plan = example();
    const poc = milestone(plan, 'joint-pursuit-and-proof', 2);
    poc.owner = 'LEE.PARK@globex.example';

    // Act
    const owner = resolveOwner(plan, poc);

    // Assess
    expect(owner).toEqual({
      party: 'customer',
      name: 'Lee Park',
      email: 'lee.park@globex.example',
      timezone: 'America/Los_Angeles',
    });
  });

  it("gives an escalation person their party owner's timezone", () => {
    // Prepare
    const plan = example();
    const pricing = milestone(plan, 'joint-pursuit-and-proof', 1);
    pricing.owner = 'kim.lau@vendor.example';

    // Act
    const owner = resolveOwner(plan, pricing);

    // Assess
    expect(owner).toEqual({
      party: 'vendor',
      name: 'Kim Lau',
      email: 'kim.lau@vendor.example',
      timezone: 'America/Chicago',
    });
  });

  it('leaves timezone out when neither the person nor their party owner has one', () => {
    // Prepare
    const plan = example();
    remove(plan.owners.partner, 'timezone');
    const review = milestone(plan, 'joint-pursuit-and-proof', 0);
    review.owner = 'raj.mehta@northwind.example';

    // Act
    const owner = resolveOwner(plan, review);

    // Assess
    expect(owner).toEqual({ party: 'partner', name: 'Raj Mehta', email: 'raj.mehta@northwind.example' });
    expect('timezone' in owner).toBe(false);
  });

  it('throws for an owner the plan does not name', () => {
    // Prepare
    const plan = example();
    const intro = milestone(plan, 'door-opener', 0);
    intro.owner = 'nobody@example.com';

    // Act
    const act = () => resolveOwner(plan, intro);

    // Assess
    expect(act).toThrow(/warm-intro: owner nobody@example.com is not named in the plan/);
  });
});

describe('plan vocabulary', () => {
  it('lists the stages in playbook order and the three parties', () => {
    // Prepare
    const playbook = [
      'target-account-selection',
      'door-opener',
      'joint-discovery',
      'joint-pursuit-and-proof',
      'close-register-review',
    ];

    // Act
    const stages = [...STAGE_KEYS];
    const exampleStages = Object.keys(EXAMPLE.stages);

    // Assess
    expect(stages).toEqual(playbook);
    expect(exampleStages).toEqual(playbook);
    expect([...PARTIES]).toEqual(['vendor', 'partner', 'customer']);
  });
});

describe('formatPath', () => {
  it('writes dots for keys, [n] for indexes and (root) for the empty path', () => {
    // Prepare
    const paths: PropertyKey[][] = [
      ['stages', 'door-opener', 'milestones', 0, 'owner'],
      ['escalation', 'vendor', 1, 'afterHours'],
      [],
      ['odd key.with dot'],
    ];

    // Act
    const written = paths.map(formatPath);

    // Assess
    expect(written).toEqual([
      'stages.door-opener.milestones[0].owner',
      'escalation.vendor[1].afterHours',
      '(root)',
      '["odd key.with dot"]',
    ]);
  });
});

describe('plan JSON Schema (schema/cosell-plan.schema.json)', () => {
  it('is committed exactly as a fresh export writes it (run scripts/export-plan-json-schema.ts)', () => {
    // Prepare
    const committed = readFileSync(PLAN_JSON_SCHEMA_FILE, 'utf8');

    // Act
    const fresh = renderPlanJsonSchema();

    // Assess
    expect(committed).toBe(fresh);
  });

  it('describes the input: strict objects, required sections, the five stages in order', () => {
    // Prepare
    type JsonSchemaObject = {
      properties: Record<string, JsonSchemaObject>;
      required?: string[];
      additionalProperties?: boolean;
    };

    // Act
    const schema = buildPlanJsonSchema() as unknown as JsonSchemaObject & Record<string, unknown>;
    const stages = schema.properties.stages;

    // Assess
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toEqual(expect.any(String));
    expect(schema.title).toEqual(expect.any(String));
    expect(schema.description).toEqual(expect.any(String));
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(
      expect.arrayContaining(['apiVersion', 'kind', 'name', 'stages', 'owners']),
    );
    expect(Object.keys(stages?.properties ?? {})).toEqual([...STAGE_KEYS]);
    expect(stages?.required).toEqual([...STAGE_KEYS]);
    expect(stages?.additionalProperties).toBe(false);
  });
});
