/**
 * Rebuilds a tenant's closed-deal report aggregates and entries from every deal in its plans table (a
 * backfill after deploying the aggregates, or a repair): `npm run report:rebuild -- --tenant acme`
 * (the deployed tenant's table, with AWS credentials), or `-- --table <name>`; `--dry-run` counts only.
 * Run it while no deal is closing: a close between its Scan and its writes would be lost until the next run.
 */
import { parseArgs } from 'node:util';
import { documentClient } from '../lambdas/adapters/dynamodb/document-client';
import { tableName } from '../lib/table-definitions';
import { rebuildReportItems, reportItemsOf, scanPlans } from './lib/report-aggregates';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { tenant: { type: 'string' }, table: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  });
  const table = values.table ?? (values.tenant ? tableName(values.tenant, 'plans') : undefined);
  if (!table) throw new Error('give --tenant <tenant> or --table <plans table>');
  const db = documentClient();
  if (values['dry-run']) {
    const { deals, reportKeys } = await scanPlans(db, table);
    console.log(
      `${table}: ${deals.length} deals; would replace ${reportKeys.length} report items with ${reportItemsOf(deals).length}`,
    );
    return;
  }
  const done = await rebuildReportItems(db, table);
  console.log(`${table}: ${done.deals} deals (${done.closed} closed); wrote ${done.items} report items`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
