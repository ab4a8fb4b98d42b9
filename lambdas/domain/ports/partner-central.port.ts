/**
 * AWS Partner Central Selling (ACE), as ace-sync uses it. The shapes are ACE's own field names (PascalCase,
 * as the API takes them), written here so the domain needs no SDK import; the adapter passes them through.
 */
export interface AceLifeCycle {
  Stage?: string;
  ClosedLostReason?: string;
  NextSteps?: string;
  TargetCloseDate?: string;
  ReviewStatus?: string;
  ReviewComments?: string;
  ReviewStatusReason?: string;
  NextStepsHistory?: { Value: string; Time: Date }[];
}

/** The writable part of an opportunity: what CreateOpportunity takes and UpdateOpportunity replaces whole. */
export interface AceOpportunityFields {
  PrimaryNeedsFromAws?: string[];
  NationalSecurity?: string;
  PartnerOpportunityIdentifier?: string;
  Customer?: {
    Account?: {
      CompanyName: string;
      Industry?: string;
      WebsiteUrl?: string;
      Address?: { CountryCode?: string; PostalCode?: string; StateOrRegion?: string; City?: string };
    };
    Contacts?: { Email?: string; FirstName?: string; LastName?: string; BusinessTitle?: string }[];
  };
  Project?: {
    Title?: string;
    CustomerBusinessProblem?: string;
    CustomerUseCase?: string;
    DeliveryModels?: string[];
    SalesActivities?: string[];
    ExpectedCustomerSpend?: {
      Amount?: string;
      CurrencyCode: string;
      Frequency: string;
      TargetCompany: string;
    }[];
    AdditionalComments?: string;
  };
  OpportunityType?: string;
  Marketing?: Record<string, unknown>;
  SoftwareRevenue?: Record<string, unknown>;
  LifeCycle?: AceLifeCycle;
}

export interface AceCreateOpportunity extends AceOpportunityFields {
  Catalog: string;
  ClientToken: string;
  Origin: string;
}

export interface AceOpportunity extends AceOpportunityFields {
  Catalog: string;
  Id: string;
  LastModifiedDate: Date;
  CreatedDate?: Date;
  RelatedEntityIdentifiers?: { Solutions?: string[]; AwsProducts?: string[] };
}

export interface AceUpdateOpportunity extends AceOpportunityFields {
  Catalog: string;
  Identifier: string;
  /** The record's LastModifiedDate as read: ACE refuses an update of a record changed since (optimistic). */
  LastModifiedDate: Date;
}

export interface AceAssociation {
  Catalog: string;
  OpportunityIdentifier: string;
  RelatedEntityType: 'Solutions';
  RelatedEntityIdentifier: string;
}

export interface PartnerCentral {
  createOpportunity(request: AceCreateOpportunity): Promise<{ id: string }>;
  associateOpportunity(request: AceAssociation): Promise<void>;
  getOpportunity(catalog: string, identifier: string): Promise<AceOpportunity>;
  updateOpportunity(request: AceUpdateOpportunity): Promise<void>;
}
