import { type DynamoDBDocumentClient, GetCommand, PutCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { partnerKey } from '../../domain/partner-plans';
import type { PartnerPlanStore } from '../../domain/ports';
import type { PartnerPlan } from '../../schemas/partner-plan.schema';
import { allItems } from './document-client';

/**
 * Partner plans, one item per partner: `{partnerKey, partner, plan, updatedAt}` with `partnerKey` the
 * normalised partner name, so a PUT for the same partner (any case or spacing) replaces its plan.
 */
export class DynamoPartnerPlanStore implements PartnerPlanStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(plan: PartnerPlan, at: Date): Promise<{ created: boolean }> {
    const out = await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          partnerKey: partnerKey(plan.partner.name),
          partner: plan.partner.name,
          plan,
          updatedAt: at.toISOString(),
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return { created: out?.Attributes === undefined };
  }

  async get(partner: string): Promise<PartnerPlan | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { partnerKey: partnerKey(partner) } }),
    );
    return out?.Item?.plan as PartnerPlan | undefined;
  }

  /** A Scan: one item per partner, so the table stays small. */
  async list(): Promise<PartnerPlan[]> {
    const items = await allItems(
      paginateScan(
        { client: this.db },
        { TableName: this.table, ProjectionExpression: '#p', ExpressionAttributeNames: { '#p': 'plan' } },
      ),
    );
    return items
      .map((i) => i.plan as PartnerPlan)
      .sort((a, b) => a.partner.name.localeCompare(b.partner.name, 'en', { sensitivity: 'base' }));
  }
}
