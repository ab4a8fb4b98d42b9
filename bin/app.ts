#!/usr/bin/env -S npx tsx
/**
 * The CDK app: one stack per tenant. `npx cdk synth -c tenant=acme` builds `CosellFlow-acme` from
 * tenants/acme.json (or from -c context settings when there is no file), checked by cdk-nag AwsSolutions.
 */
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CosellFlowStack } from '../lib/cosell-flow-stack';
import { loadTenantConfig, TenantConfigError } from '../lib/tenant-config';

const app = new App();

let config: ReturnType<typeof loadTenantConfig>;
try {
  config = loadTenantConfig({
    tenant: app.node.tryGetContext('tenant'),
    context: (key) => app.node.tryGetContext(key),
    rootDir: fileURLToPath(new URL('..', import.meta.url)),
  });
} catch (error) {
  if (!(error instanceof TenantConfigError)) throw error;
  console.error(`\n${error.message}\n`);
  process.exit(1);
}

new CosellFlowStack(app, `CosellFlow-${config.tenant}`, {
  config,
  ...(config.env ? { env: config.env } : {}),
  description: `Cosell Flow for tenant ${config.tenant}: co-sell plans through the five-stage gated playbook`,
});

// AwsSolutions findings fail the synth unless acknowledged next to the resource (Validations.acknowledge).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

app.synth();
