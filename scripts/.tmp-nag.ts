import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { REPO_ROOT } from '../lib/constructs/cosell-function';
import { CosellFlowStack } from '../lib/cosell-flow-stack';
import { loadTenantConfig } from '../lib/tenant-config';

const app = new App();
const config = loadTenantConfig({ tenant: 'acme', context: () => undefined, rootDir: REPO_ROOT });
new CosellFlowStack(app, 'CosellFlow-acme', { config });
const report = new AwsSolutionsChecks().validateScope(app);
for (const v of report.violations)
  console.log(
    v.severity,
    v.ruleName,
    v.violatingResources.map((r) => `${r.constructPath} ${JSON.stringify(r.locations ?? '')}`).join('\n'),
  );
