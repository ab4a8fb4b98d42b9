import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { REPO_ROOT } from '../lib/constructs/cosell-function';
import { logicalIdOf } from '../lib/constructs/nag-findings';
import { CosellFlowStack } from '../lib/cosell-flow-stack';
import { loadTenantConfig } from '../lib/tenant-config';

const app = new App();
const config = loadTenantConfig({ tenant: 'acme', context: () => undefined, rootDir: REPO_ROOT });
const stack = new CosellFlowStack(app, 'CosellFlow-acme', { config });
const t = Template.fromStack(stack).toJSON();
for (const h of ['action-link', 'reminder-sweep', 'gate-open'] as const) {
  const role = logicalIdOf(stack.functions[h].role);
  for (const r of Object.values<any>(t.Resources)) {
    if (r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === role))
      console.log(h, JSON.stringify(r.Properties.PolicyDocument.Statement, null, 0));
  }
}
const stage = Object.values<any>(t.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage');
console.log(JSON.stringify(stage, null, 1));
console.log(
  JSON.stringify(
    Object.values<any>(t.Resources).filter(
      (r) => r.Type.includes('CloudWatch') || r.Type.includes('MetricFilter'),
    ),
    null,
    1,
  ),
);
