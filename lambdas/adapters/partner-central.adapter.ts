import {
  AssociateOpportunityCommand,
  type AssociateOpportunityCommandInput,
  CreateOpportunityCommand,
  type CreateOpportunityCommandInput,
  GetOpportunityCommand,
  type PartnerCentralSellingClient,
  UpdateOpportunityCommand,
  type UpdateOpportunityCommandInput,
} from '@aws-sdk/client-partnercentral-selling';
import type {
  AceAssociation,
  AceCreateOpportunity,
  AceOpportunity,
  AceUpdateOpportunity,
  PartnerCentral,
} from '../domain/ports/partner-central.port';

/**
 * AWS Partner Central Selling through its SDK client (built once per module by the handler). The domain's
 * shapes are ACE's own field names, so each request passes through as it is; only the enums are typed
 * narrower by the SDK, hence the casts.
 */
export class PartnerCentralAdapter implements PartnerCentral {
  constructor(private readonly client: PartnerCentralSellingClient) {}

  async createOpportunity(request: AceCreateOpportunity): Promise<{ id: string }> {
    const out = await this.client.send(
      new CreateOpportunityCommand(request as CreateOpportunityCommandInput),
    );
    if (!out.Id) throw new Error('CreateOpportunity returned no Id');
    return { id: out.Id };
  }

  async associateOpportunity(request: AceAssociation): Promise<void> {
    await this.client.send(new AssociateOpportunityCommand(request as AssociateOpportunityCommandInput));
  }

  async getOpportunity(catalog: string, identifier: string): Promise<AceOpportunity> {
    const out = await this.client.send(
      new GetOpportunityCommand({ Catalog: catalog, Identifier: identifier }),
    );
    const { $metadata: _m, ...record } = out;
    if (!record.Id || !record.LastModifiedDate)
      throw new Error(`GetOpportunity ${identifier}: no Id or date`);
    return record as AceOpportunity;
  }

  async updateOpportunity(request: AceUpdateOpportunity): Promise<void> {
    await this.client.send(new UpdateOpportunityCommand(request as UpdateOpportunityCommandInput));
  }
}
