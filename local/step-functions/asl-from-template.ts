import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTenantConfig } from '../../lib/tenant-config';
import { FUNCTION_ARN_PLACEHOLDERS, playbookDefinition } from '../../lib/workflow/playbook.definition';
import { LOCAL_ACCOUNT_ID } from '../aws-emulator';
import { LOCAL_REGION } from '../aws-env';

/**
 * The playbook's ASL, as the local runner runs it and as the stack deploys it.
 *
 * The local runner takes `localPlaybookAsl()`: `playbookDefinition()`, the one source the PlaybookWorkflow
 * construct also renders, with its `${XxxFunctionArn}` placeholders resolved to local Lambda ARNs. No CDK
 * synth at start-up. `loadPlaybookAsl(await synthesizeLocalTemplate())` reads the deployed definition from
 * the synthesized template instead; the integration test holds the two equal.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
}

/** An ASL document as JSON. */
export interface AslJson {
  StartAt: string;
  States: Record<string, JsonObject>;
  [field: string]: Json;
}

/** Any ASL definition object: the loaded JSON, or the typed one `playbookDefinition()` returns. */
export interface AslLike {
  StartAt: string;
  States: Record<string, object>;
}

/** Tenant settings of the local stack, as CDK context (a `tenants/local.json` would take precedence). */
export const LOCAL_TENANT_CONTEXT = {
  senderAddress: 'deals@cosell-flow.localhost',
  publicBaseUrl: 'http://127.0.0.1:3000',
  defaultTimezone: 'UTC',
} as const;

/** The fake ARN a local function gets: `arn:aws:lambda:us-east-1:000000000000:function:<name>`. */
export function localLambdaArn(functionName: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`;
}

/**
 * The state machine the local runner runs: `playbookDefinition()` with each function ARN placeholder
 * replaced as `loadPlaybookAsl` replaces it in the deployed template (`${GateOpenFunctionArn}` ->
 * `...:function:gate-open`).
 */
export function localPlaybookAsl(): AslJson {
  const substituted = substitute(JSON.stringify(playbookDefinition()), (name) =>
    Object.hasOwn(FUNCTION_ARN_PLACEHOLDERS, name) ? substitutionValue(name, undefined, {}) : undefined,
  );
  return parseAsl(substituted, 'playbookDefinition()');
}

/**
 * Synthesizes the CDK app's stack for tenant `local` in-process and returns its CloudFormation template.
 * Context `aws:cdk:bundling-stacks: []` makes every stack skip asset bundling (CDK's Stack.bundlingRequired),
 * so no esbuild run: the synth takes seconds and the template's state machine is exactly the deployed one.
 * CDK is imported only here, so that the local runner, which never synthesizes, does not load it.
 */
export async function synthesizeLocalTemplate(
  options: { tenant?: string; context?: Record<string, unknown> } = {},
): Promise<CfnTemplate> {
  const [{ App }, { CosellFlowStack }] = await Promise.all([
    import('aws-cdk-lib'),
    import('../../lib/cosell-flow-stack'),
  ]);
  const tenant = options.tenant ?? 'local';
  const context: Record<string, unknown> = {
    'aws:cdk:bundling-stacks': [],
    tenant,
    ...LOCAL_TENANT_CONTEXT,
    ...options.context,
  };
  const outdir = await mkdtemp(join(tmpdir(), 'cosell-flow-synth-'));
  try {
    const app = new App({ outdir, context });
    const config = loadTenantConfig({
      tenant,
      context: (key) => app.node.tryGetContext(key),
      rootDir: fileURLToPath(new URL('../..', import.meta.url)),
    });
    const stack = new CosellFlowStack(app, `CosellFlow-${tenant}`, { config });
    return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/**
 * The state machine definition as deployed: the `AWS::StepFunctions::StateMachine` resource's
 * `DefinitionString` with its `DefinitionSubstitutions` applied. `${XxxFunctionArn}` placeholders become
 * local Lambda ARNs named after the handler (`${GateOpenFunctionArn}` -> `...:function:gate-open`).
 */
export function loadPlaybookAsl(template: CfnTemplate, options: { logicalId?: string } = {}): AslJson {
  const resources = template.Resources ?? {};
  const machines = Object.entries(resources).filter(
    ([id, resource]) =>
      resource.Type === 'AWS::StepFunctions::StateMachine' &&
      (!options.logicalId || id === options.logicalId),
  );
  const [found] = machines;
  if (!found || machines.length > 1) {
    const which = options.logicalId ? ` with logical id ${options.logicalId}` : '';
    throw new Error(
      `Expected one AWS::StepFunctions::StateMachine${which} in the template, found ${machines.length}` +
        (machines.length > 1 ? ` (${machines.map(([id]) => id).join(', ')}): pass logicalId` : ''),
    );
  }
  const [logicalId, machine] = found;
  const props = machine.Properties ?? {};

  let text: string;
  if (props.DefinitionString !== undefined) {
    const resolved = resolveIntrinsic(props.DefinitionString, resources);
    if (typeof resolved !== 'string')
      throw new Error(`${logicalId}.DefinitionString does not resolve to a string`);
    text = resolved;
  } else if (props.Definition !== undefined) {
    text = JSON.stringify(resolveIntrinsic(props.Definition, resources));
  } else {
    throw new Error(
      `${logicalId} has no DefinitionString or Definition (an S3 definition cannot be run locally)`,
    );
  }

  // As CloudFormation does: `${name}` is replaced when `name` is a substitution, left alone otherwise.
  const substitutions = (props.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  const substituted = substitute(text, (name) =>
    Object.hasOwn(substitutions, name) ? substitutionValue(name, substitutions[name], resources) : undefined,
  );
  return parseAsl(substituted, `${logicalId}'s definition`);
}

/** Replaces each `${name}` for which `lookup` has a value, JSON-string-escaped; leaves the others. */
function substitute(text: string, lookup: (name: string) => string | undefined): string {
  return text.replace(/\$\{([^}]+)\}/g, (placeholder, name: string) => {
    const value = lookup(name);
    return value === undefined ? placeholder : JSON.stringify(value).slice(1, -1);
  });
}

function parseAsl(text: string, what: string): AslJson {
  const asl = JSON.parse(text) as AslJson;
  if (typeof asl?.StartAt !== 'string' || typeof asl.States !== 'object' || asl.States === null) {
    throw new Error(`${what} is not an ASL document (no StartAt or States)`);
  }
  return asl;
}

function substitutionValue(name: string, value: unknown, resources: Record<string, CfnResource>): string {
  if (typeof value === 'string') return value;
  const handler =
    (FUNCTION_ARN_PLACEHOLDERS as Record<string, string>)[name] ??
    /^(.+)FunctionArn$/
      .exec(name)?.[1]
      ?.replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase();
  if (handler) return localLambdaArn(handler);
  const resolved = resolveIntrinsic(value, resources);
  if (typeof resolved !== 'string' && typeof resolved !== 'number') {
    throw new Error(`DefinitionSubstitutions.${name} does not resolve to a string`);
  }
  return String(resolved);
}

/** Resolves the intrinsic functions a definition may hold (Ref, Fn::GetAtt, Fn::Join) to local values. */
function resolveIntrinsic(value: unknown, resources: Record<string, CfnResource>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsic(item, resources));
  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first) {
    const [fn, arg] = first;
    if (fn === 'Ref') return resolveRef(String(arg), resources);
    if (fn === 'Fn::GetAtt') {
      const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
      return resolveGetAtt(String(id), String(attribute), resources);
    }
    if (fn === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts
        .map((part) => {
          const resolved = resolveIntrinsic(part, resources);
          if (typeof resolved !== 'string' && typeof resolved !== 'number') {
            throw new Error(`Fn::Join part ${JSON.stringify(part)} does not resolve to a string`);
          }
          return String(resolved);
        })
        .join(separator);
    }
    if (fn.startsWith('Fn::'))
      throw new Error(`${fn} in a state machine definition is not supported locally`);
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveIntrinsic(item, resources)]));
}

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT_ID,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'local',
};

function resolveRef(id: string, resources: Record<string, CfnResource>): string {
  const pseudo = PSEUDO_PARAMETERS[id];
  if (pseudo) return pseudo;
  if (!resources[id]) throw new Error(`Ref to unknown resource ${id}`);
  return physicalName(id, resources);
}

function resolveGetAtt(id: string, attribute: string, resources: Record<string, CfnResource>): string {
  const resource = resources[id];
  if (!resource) throw new Error(`Fn::GetAtt on unknown resource ${id}`);
  if (attribute !== 'Arn') return `${physicalName(id, resources)}.${attribute}`;
  if (resource.Type === 'AWS::Lambda::Function') return localLambdaArn(physicalName(id, resources));
  return `arn:aws:local:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${physicalName(id, resources)}`;
}

function physicalName(id: string, resources: Record<string, CfnResource>): string {
  const props = resources[id]?.Properties ?? {};
  const name = props.FunctionName ?? props.StateMachineName ?? props.TableName;
  return typeof name === 'string' ? name : id;
}
