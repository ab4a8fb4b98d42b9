import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  ClosedLostReason,
  CountryCode,
  CurrencyCode,
  DeliveryModel,
  Industry,
  NationalSecurity,
  OpportunityOrigin,
  OpportunityType,
  PaymentFrequency,
  PrimaryNeedFromAws,
  RelatedEntityType,
  ReviewStatus,
  SalesActivity,
  Stage,
} from '@aws-sdk/client-partnercentral-selling';
import { AwsServiceError, type RouteHandler } from './aws-emulator';

/**
 * The local AWS Partner Central Selling (ACE) endpoint: CreateOpportunity, AssociateOpportunity,
 * GetOpportunity and UpdateOpportunity on the AWS JSON 1.0 protocol (`X-Amz-Target:
 * AWSPartnerCentralSelling.<Operation>`), with ACE's documented validation: required fields, enum values
 * (the SDK's own lists), lengths, the ClientToken's idempotency and LastModifiedDate's optimistic check.
 * Kept in `ace.json` in the state directory; `GET /_local/ace` lists the opportunities as ACE holds them.
 */

type Json = Record<string, unknown>;
interface Opportunity extends Json {
  Catalog: string;
  Id: string;
  CreatedDate: number;
  LastModifiedDate: number;
  RelatedEntityIdentifiers: { Solutions: string[] };
  LifeCycle: Json;
}

const CATALOGS = ['AWS', 'Sandbox'];
const WRITABLE = [
  'PrimaryNeedsFromAws',
  'NationalSecurity',
  'PartnerOpportunityIdentifier',
  'Customer',
  'Project',
  'OpportunityType',
  'Marketing',
  'SoftwareRevenue',
  'OpportunityTeam',
];
const values = (e: Record<string, string>) => Object.values(e);

function invalid(message: string): never {
  throw new AwsServiceError('ValidationException', message);
}

function oneOf(value: unknown, allowed: readonly string[], field: string, required = false): void {
  if (value === undefined) {
    if (required) invalid(`${field} is required`);
    return;
  }
  if (typeof value !== 'string' || !allowed.includes(value)) {
    invalid(`${field} must be one of: ${allowed.slice(0, 8).join(', ')}${allowed.length > 8 ? ', ...' : ''}`);
  }
}

function text(value: unknown, field: string, min: number, max: number, required = false): void {
  if (value === undefined) {
    if (required) invalid(`${field} is required`);
    return;
  }
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    invalid(`${field} must be ${min} to ${max} characters`);
  }
}

/** ACE's checks of a whole opportunity record (as created, or as an update replaces it). */
export function validateOpportunity(o: Json): void {
  oneOf(o.Catalog, CATALOGS, 'Catalog', true);
  oneOf(o.OpportunityType, values(OpportunityType), 'OpportunityType', true);
  oneOf(o.NationalSecurity, values(NationalSecurity), 'NationalSecurity');
  text(o.PartnerOpportunityIdentifier, 'PartnerOpportunityIdentifier', 1, 64);
  for (const need of (o.PrimaryNeedsFromAws as unknown[]) ?? []) {
    oneOf(need, values(PrimaryNeedFromAws), 'PrimaryNeedsFromAws[]');
  }
  const account = (o.Customer as Json | undefined)?.Account as Json | undefined;
  if (!account) invalid('Customer.Account is required');
  text(account.CompanyName, 'Customer.Account.CompanyName', 1, 120, true);
  text(account.WebsiteUrl, 'Customer.Account.WebsiteUrl', 4, 255, true);
  oneOf(account.Industry, values(Industry), 'Customer.Account.Industry', true);
  const address = account.Address as Json | undefined;
  oneOf(address?.CountryCode, values(CountryCode), 'Customer.Account.Address.CountryCode', true);
  if (address?.CountryCode === 'US')
    text(address.PostalCode, 'Customer.Account.Address.PostalCode', 1, 20, true);
  const project = o.Project as Json | undefined;
  if (!project) invalid('Project is required');
  text(project.Title, 'Project.Title', 1, 255, true);
  text(project.CustomerBusinessProblem, 'Project.CustomerBusinessProblem', 20, 2000, true);
  const models = project.DeliveryModels as unknown[] | undefined;
  if (!models?.length) invalid('Project.DeliveryModels is required');
  for (const m of models) oneOf(m, values(DeliveryModel), 'Project.DeliveryModels[]');
  for (const a of (project.SalesActivities as unknown[]) ?? [])
    oneOf(a, values(SalesActivity), 'Project.SalesActivities[]');
  const spend = project.ExpectedCustomerSpend as Json[] | undefined;
  if (!spend?.length) invalid('Project.ExpectedCustomerSpend is required');
  for (const s of spend) {
    oneOf(s.CurrencyCode, values(CurrencyCode), 'Project.ExpectedCustomerSpend[].CurrencyCode', true);
    oneOf(s.Frequency, values(PaymentFrequency), 'Project.ExpectedCustomerSpend[].Frequency', true);
    text(s.TargetCompany, 'Project.ExpectedCustomerSpend[].TargetCompany', 1, 80, true);
    if (s.Amount !== undefined && !/^\d+(\.\d+)?$/.test(String(s.Amount))) {
      invalid('Project.ExpectedCustomerSpend[].Amount must be a decimal number');
    }
  }
  const life = (o.LifeCycle as Json | undefined) ?? {};
  oneOf(life.Stage, values(Stage), 'LifeCycle.Stage');
  if (typeof life.TargetCloseDate !== 'string' || !/^\d{4}-\d\d-\d\d$/.test(life.TargetCloseDate)) {
    invalid('LifeCycle.TargetCloseDate is required (YYYY-MM-DD)');
  }
  if (life.Stage === 'Closed Lost')
    oneOf(life.ClosedLostReason, values(ClosedLostReason), 'LifeCycle.ClosedLostReason', true);
  else if (life.ClosedLostReason !== undefined) invalid('LifeCycle.ClosedLostReason is only for Closed Lost');
  text(life.NextSteps, 'LifeCycle.NextSteps', 0, 255);
}

export class PartnerCentralEmulator {
  private readonly opportunities: Opportunity[];
  private readonly tokens: Record<string, string>;

  constructor(
    private readonly file: string,
    private readonly now: () => Date,
  ) {
    const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Json) : {};
    this.opportunities = (saved.opportunities as Opportunity[]) ?? [];
    this.tokens = (saved.tokens as Record<string, string>) ?? {};
  }

  /** Every opportunity as ACE holds it (dates as ISO instants), oldest first. */
  list(): Json[] {
    return this.opportunities.map((o) => this.wire(o));
  }

  /** As the API sends it: dates are RFC 3339 strings in this service's JSON protocol. */
  private wire(o: Opportunity): Json {
    const iso = (seconds: unknown) => new Date(Number(seconds) * 1000).toISOString();
    const history = (o.LifeCycle.NextStepsHistory as { Value: string; Time: number }[] | undefined) ?? [];
    return {
      ...structuredClone(o),
      CreatedDate: iso(o.CreatedDate),
      LastModifiedDate: iso(o.LastModifiedDate),
      LifeCycle: {
        ...structuredClone(o.LifeCycle),
        NextStepsHistory: history.map((h) => ({ ...h, Time: iso(h.Time) })),
      },
    };
  }

  /** As ACE's reviewers would: sets a review status (the runtime then puts `Opportunity Updated`). */
  review(id: string, status: string, comments?: string): Opportunity {
    oneOf(status, values(ReviewStatus), 'ReviewStatus', true);
    const o = this.find('Sandbox', id, true);
    o.LifeCycle = { ...o.LifeCycle, ReviewStatus: status, ...(comments ? { ReviewComments: comments } : {}) };
    this.touch(o);
    return o;
  }

  routes(): Record<string, RouteHandler> {
    const op = (name: string, fn: (body: Json) => Json) => [
      `AWSPartnerCentralSelling.${name}`,
      async (body: unknown) => fn((body ?? {}) as Json),
    ];
    return Object.fromEntries([
      op('CreateOpportunity', (b) => this.create(b)),
      op('AssociateOpportunity', (b) => this.associate(b)),
      op('GetOpportunity', (b) => this.get(b)),
      op('UpdateOpportunity', (b) => this.update(b)),
    ]);
  }

  private create(body: Json): Json {
    const token = body.ClientToken;
    if (typeof token !== 'string' || !/^[!-~]{1,64}$/.test(token))
      invalid('ClientToken is required (1-64 characters)');
    oneOf(body.Origin, values(OpportunityOrigin), 'Origin');
    const known = this.tokens[`${body.Catalog}:${token}`];
    if (known) {
      const o = this.find(String(body.Catalog), known, true);
      return {
        Id: o.Id,
        PartnerOpportunityIdentifier: o.PartnerOpportunityIdentifier,
        LastModifiedDate: this.wire(o).LastModifiedDate,
      };
    }
    const { ClientToken: _t, Origin: _o, ...record } = body;
    validateOpportunity(record);
    const at = this.seconds();
    const o: Opportunity = {
      ...record,
      Catalog: String(body.Catalog),
      Id: `O${String(randomInt(1_000_000, 9_999_999))}`,
      Origin: body.Origin ?? 'Partner Referral',
      CreatedDate: at,
      LastModifiedDate: at,
      RelatedEntityIdentifiers: { Solutions: [] },
      LifeCycle: { Stage: 'Prospect', ReviewStatus: 'Pending Submission', ...(record.LifeCycle as Json) },
    };
    this.opportunities.push(o);
    this.tokens[`${o.Catalog}:${token}`] = o.Id;
    this.save();
    return {
      Id: o.Id,
      PartnerOpportunityIdentifier: o.PartnerOpportunityIdentifier,
      LastModifiedDate: this.wire(o).LastModifiedDate,
    };
  }

  private associate(body: Json): Json {
    oneOf(body.Catalog, CATALOGS, 'Catalog', true);
    oneOf(body.RelatedEntityType, values(RelatedEntityType), 'RelatedEntityType', true);
    text(body.RelatedEntityIdentifier, 'RelatedEntityIdentifier', 1, 255, true);
    const o = this.find(String(body.Catalog), body.OpportunityIdentifier, true);
    if (
      body.RelatedEntityType === 'Solutions' &&
      !o.RelatedEntityIdentifiers.Solutions.includes(String(body.RelatedEntityIdentifier))
    ) {
      o.RelatedEntityIdentifiers.Solutions.push(String(body.RelatedEntityIdentifier));
      this.touch(o);
    }
    return {};
  }

  private get(body: Json): Json {
    oneOf(body.Catalog, CATALOGS, 'Catalog', true);
    return this.wire(this.find(String(body.Catalog), body.Identifier, true));
  }

  private update(body: Json): Json {
    oneOf(body.Catalog, CATALOGS, 'Catalog', true);
    const o = this.find(String(body.Catalog), body.Identifier, true);
    const read = Date.parse(String(body.LastModifiedDate));
    if (Number.isNaN(read)) invalid('LastModifiedDate is required (RFC 3339)');
    if (Math.floor(read / 1000) !== o.LastModifiedDate) {
      throw new AwsServiceError('ConflictException', 'The opportunity was modified since it was read');
    }
    const next: Json = { Catalog: o.Catalog };
    for (const k of WRITABLE) if (body[k] !== undefined) next[k] = body[k];
    const life = (body.LifeCycle as Json | undefined) ?? {};
    for (const k of ['ReviewStatus', 'ReviewComments', 'ReviewStatusReason']) {
      if (life[k] !== undefined && life[k] !== o.LifeCycle[k])
        invalid(`LifeCycle.${k} is set by AWS, not by an update`);
    }
    next.LifeCycle = life;
    validateOpportunity(next);
    // The whole record is replaced: a field the update leaves out is gone.
    for (const k of WRITABLE) delete o[k];
    Object.assign(o, next);
    const history = (o.LifeCycle.NextStepsHistory as unknown[]) ?? [];
    o.LifeCycle = {
      ...life,
      ...(o.LifeCycle.ReviewStatus ? { ReviewStatus: o.LifeCycle.ReviewStatus } : {}),
      NextStepsHistory: life.NextSteps
        ? [...history, { Value: life.NextSteps, Time: this.seconds() }]
        : history,
    };
    this.touch(o);
    return { Id: o.Id, LastModifiedDate: this.wire(o).LastModifiedDate };
  }

  private find(catalog: string, id: unknown, required: true): Opportunity {
    const o = this.opportunities.find((x) => x.Id === id && x.Catalog === catalog);
    if (!o && required)
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Opportunity ${String(id)} not found in ${catalog}`,
      );
    return o as Opportunity;
  }

  private touch(o: Opportunity): void {
    // ACE's dates are whole seconds here; an update in the same second still moves the date.
    o.LastModifiedDate = Math.max(this.seconds(), o.LastModifiedDate + 1);
    this.save();
  }

  private seconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  private save(): void {
    writeFileSync(this.file, JSON.stringify({ opportunities: this.opportunities, tokens: this.tokens }));
  }
}
