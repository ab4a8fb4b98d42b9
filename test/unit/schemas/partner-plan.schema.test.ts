import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CORE_SCHEMA, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { accountOnPartnerPlan, partnerPlanFor, quarterOf } from '../../../lambdas/domain/partner-plans';
import {
  type PartnerPlan,
  parsePartnerPlan,
  partnerPlanSchema,
} from '../../../lambdas/schemas/partner-plan.schema';
import { formatIssues, ValidationError, type ValidationIssue } from '../../../lambdas/schemas/validation';
import { planWith, referencePlan } from '../../helpers/plan';

const EXAMPLE_FILE = fileURLToPath(new URL('../../../examples/partner-plan-northwind.yaml', import.meta.url));
const EXAMPLE = load(readFileSync(EXAMPLE_FILE, 'utf8'), { schema: CORE_SCHEMA }) as PartnerPlan;

function example(): PartnerPlan {
  return structuredClone(EXAMPLE);
}

function set(target: object, key: string, value: unknown): void {
  (target as Record<string, unknown>)[key] = value;
}

function issuesOf(input: unknown): ValidationIssue[] {
  const result = partnerPlanSchema.safeParse(input);
  if (result.success) throw new Error('expected the partner plan to be rejected, but it was accepted');
  return formatIssues(result.error);
}

function issue(path: string, message: RegExp) {
  return expect.objectContaining({ path, message: expect.stringMatching(message) });
}

describe('partnerPlanSchema', () => {
  it('accepts the Northwind example, which lists Globex Corporation', () => {
    const plan = parsePartnerPlan(example());
    expect(plan.kind).toBe('PartnerPlan');
    expect(plan.partner).toEqual({ name: 'Northwind Integrators', reference: 'NW-ALLIANCE-2027' });
    expect(plan.targetAccounts).toContainEqual({ name: 'Globex Corporation', domain: 'globex.example' });
    expect(plan.motion).toMatchObject({ fronts: 'partner', partnerJoinsAt: 'target-account-selection' });
    expect(plan.creditRules).toMatchObject({
      sourcedIf: 'partner-brought-deal',
      influencedIf: 'partner-worked-deal',
    });
    expect(plan.quarterlyTarget).toEqual({ quarter: '2027-Q1', arr: 600_000, currency: 'USD' });
  });

  it('takes an optional program cost per quarter, an amount with its currency', () => {
    const plan = example();
    set(plan, 'programCost', { amount: 40_000, currency: 'USD' });
    expect(partnerPlanSchema.safeParse(plan).success).toBe(true);
    set(plan, 'programCost', { amount: 40_000, currency: 'dollars' });
    expect(issuesOf(plan)).toEqual(expect.arrayContaining([issue('programCost.currency', /ISO 4217/)]));
  });

  it('refuses another kind or version', () => {
    const plan = example();
    set(plan, 'kind', 'CoSellPlan');
    set(plan, 'apiVersion', 'cosell/v2');
    expect(issuesOf(plan)).toEqual(
      expect.arrayContaining([issue('kind', /PartnerPlan/), issue('apiVersion', /cosell\/v1/)]),
    );
  });

  it('names the field path of each problem', () => {
    const plan = example();
    set(plan.owners.vendor, 'email', 'not-an-email');
    set(plan.owners.partner, 'timezone', 'Mars/Olympus');
    set(plan.motion, 'fronts', 'customer');
    set(plan.motion, 'partnerJoinsAt', 'stage-2');
    set(plan.creditRules, 'sourcedIf', 'partner-was-there');
    set(plan.cadence, 'weekday', 'Monday');
    set(plan.quarterlyTarget, 'quarter', '2027Q1');
    set(plan.quarterlyTarget, 'arr', 0);
    set(plan.quarterlyTarget, 'currency', 'dollars');
    set(plan, 'extra', true);
    expect(issuesOf(plan)).toEqual(
      expect.arrayContaining([
        issue('owners.vendor.email', /email address/),
        issue('owners.partner.timezone', /IANA time zone/),
        issue('motion.fronts', /vendor|partner/),
        issue('motion.partnerJoinsAt', /target-account-selection/),
        issue('creditRules.sourcedIf', /partner-brought-deal/),
        issue('cadence.weekday', /MON/),
        issue('quarterlyTarget.quarter', /YYYY-Qn/),
        issue('quarterlyTarget.arr', /more than 0/),
        issue('quarterlyTarget.currency', /ISO 4217/),
        issue('(root)', /extra/),
      ]),
    );
  });

  it('requires the owners to carry a time zone', () => {
    const plan = example();
    delete (plan.owners.vendor as { timezone?: string }).timezone;
    expect(issuesOf(plan)).toEqual([issue('owners.vendor.timezone', /expected string/)]);
  });

  it('refuses an empty account list and a duplicate account by name or domain', () => {
    const empty = example();
    empty.targetAccounts = [];
    expect(issuesOf(empty)).toEqual([issue('targetAccounts', /at least one target account/)]);

    const dup = example();
    dup.targetAccounts = [
      { name: 'Globex Corporation', domain: 'globex.example' },
      { name: ' globex  corporation', domain: 'other.example' },
      { name: 'Globex EU', domain: 'GLOBEX.example' },
    ];
    expect(issuesOf(dup)).toEqual([
      issue('targetAccounts[1].name', /already listed at targetAccounts\[0\]/),
      issue('targetAccounts[2].domain', /already listed at targetAccounts\[0\]/),
    ]);
  });

  it('refuses a customer at the review and one person on both sides', () => {
    const plan = example();
    plan.cadence.attendees = ['vendor', 'customer'];
    plan.owners.partner.email = plan.owners.vendor.email.toUpperCase();
    expect(issuesOf(plan)).toEqual([
      issue('cadence.attendees[1]', /no named owner in a partner plan/),
      issue('owners.partner.email', /one side/),
    ]);
  });

  it('throws a ValidationError from parsePartnerPlan', () => {
    expect(() => parsePartnerPlan({ kind: 'PartnerPlan' })).toThrow(ValidationError);
    let thrown: unknown;
    try {
      parsePartnerPlan({ ...example(), targetAccounts: 'Globex' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).message).toMatch(/^invalid partner plan: targetAccounts: /);
    expect((thrown as ValidationError).issues).toEqual([issue('targetAccounts', /expected array/)]);
  });
});

describe('accountOnPartnerPlan', () => {
  const northwind = parsePartnerPlan(example());

  it('finds the reference deal (Globex) on the Northwind plan by domain', () => {
    expect(accountOnPartnerPlan(northwind, referencePlan())).toEqual({
      onList: true,
      matchedBy: 'domain',
      target: { name: 'Globex Corporation', domain: 'globex.example' },
    });
  });

  it('matches a domain case-insensitively, whatever the name', () => {
    const plan = planWith((p) => {
      p.account = { ...p.account, name: 'Globex Corp (EMEA)', domain: 'GLOBEX.EXAMPLE.' };
    });
    expect(accountOnPartnerPlan(northwind, plan)).toMatchObject({ onList: true, matchedBy: 'domain' });
  });

  it('falls back to the name when either side has no domain', () => {
    const noDomain = planWith((p) => {
      p.account = { name: '  globex   CORPORATION ', context: 'x', trigger: 'y' };
    });
    expect(accountOnPartnerPlan(northwind, noDomain)).toMatchObject({ onList: true, matchedBy: 'name' });
    const soylent = planWith((p) => {
      p.account = { ...p.account, name: 'Soylent Foods', domain: 'soylent.example' };
    });
    expect(accountOnPartnerPlan(northwind, soylent)).toMatchObject({
      onList: true,
      matchedBy: 'name',
      target: { name: 'Soylent Foods' },
    });
  });

  it('flags an account not on the list, even with a listed name under another domain', () => {
    const other = planWith((p) => {
      p.account = { ...p.account, name: 'Hooli', domain: 'hooli.example' };
    });
    expect(accountOnPartnerPlan(northwind, other)).toEqual({
      onList: false,
      reason: 'not-on-list',
      message: 'Hooli (hooli.example) is not a target account on the Northwind Integrators partner plan',
    });
    const sameName = planWith((p) => {
      p.account = { ...p.account, domain: 'globex-holdings.example' };
    });
    expect(accountOnPartnerPlan(northwind, sameName)).toMatchObject({ onList: false, reason: 'not-on-list' });
  });

  it('says when the deal is with another partner', () => {
    const plan = planWith((p) => {
      p.partner = { name: 'Contoso Partners' };
    });
    expect(accountOnPartnerPlan(northwind, plan)).toMatchObject({ onList: false, reason: 'other-partner' });
  });

  it('finds a partner plan by name, case-insensitively', () => {
    expect(partnerPlanFor([northwind], 'northwind  integrators')).toBe(northwind);
    expect(partnerPlanFor([northwind], 'Northwind')).toBeUndefined();
  });
});

describe('quarterOf', () => {
  it('gives the UTC calendar quarter', () => {
    expect(quarterOf('2027-01-01T00:00:00Z')).toBe('2027-Q1');
    expect(quarterOf('2027-03-31T23:59:59Z')).toBe('2027-Q1');
    expect(quarterOf('2027-04-01T00:00:00Z')).toBe('2027-Q2');
    expect(quarterOf(new Date('2026-12-31T12:00:00Z'))).toBe('2026-Q4');
  });
});
