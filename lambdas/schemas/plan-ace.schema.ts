import * as z from 'zod/mini';

/**
 * The plan's optional `ace:` block: what AWS Partner Central requires of an opportunity beyond what the
 * plan already says (README, "AWS Partner Central (ACE)"). Enums are ACE's own values; ACE checks the rest.
 */
export const ACE_DELIVERY_MODELS = [
  'SaaS or PaaS',
  'BYOL or AMI',
  'Managed Services',
  'Professional Services',
  'Resell',
  'Other',
] as const;
export const ACE_PRIMARY_NEEDS = [
  'Co-Sell - Architectural Validation',
  'Co-Sell - Business Presentation',
  'Co-Sell - Competitive Information',
  'Co-Sell - Pricing Assistance',
  'Co-Sell - Technical Consultation',
  'Co-Sell - Total Cost of Ownership Evaluation',
  'Co-Sell - Deal Support',
  'Co-Sell - Support for Public Tender / RFx',
] as const;
export const ACE_OPPORTUNITY_TYPES = ['Net New Business', 'Flat Renewal', 'Expansion'] as const;

export const planAceSchema = z
  .strictObject({
    /** ACE's industry of the customer, e.g. `Software and Internet`. */
    industry: z.string().check(z.minLength(1)),
    /** ISO 3166-1 alpha-2 country of the customer, e.g. `US`. */
    countryCode: z.string().check(z.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US')),
    /** Required by ACE when the country is US. */
    postalCode: z.optional(z.string().check(z.minLength(1), z.maxLength(20))),
    stateOrRegion: z.optional(z.string().check(z.minLength(1), z.maxLength(50))),
    /** Defaults to https://<account.domain>. */
    websiteUrl: z.optional(z.string().check(z.regex(/^https?:\/\/\S+$/, 'must be a URL'))),
    /** 20 to 2000 characters, as ACE requires. */
    customerBusinessProblem: z.string().check(z.minLength(20), z.maxLength(2000)),
    customerUseCase: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
    deliveryModels: z._default(z.array(z.enum(ACE_DELIVERY_MODELS)).check(z.minLength(1)), ['SaaS or PaaS']),
    primaryNeeds: z._default(z.array(z.enum(ACE_PRIMARY_NEEDS)), ['Co-Sell - Deal Support']),
    opportunityType: z._default(z.enum(ACE_OPPORTUNITY_TYPES), 'Net New Business'),
    /** Expected monthly AWS spend of the customer for this workload; defaults to the planned ARR's max / 12. */
    expectedMonthlyAwsSpend: z.optional(z.number().check(z.minimum(0))),
  })
  .check(
    z.describe(
      'AWS Partner Central (ACE): the fields ACE requires beyond the plan, for tenants with `ace` switched on.',
    ),
  );
export type PlanAce = z.output<typeof planAceSchema>;
