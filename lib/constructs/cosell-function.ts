import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Every Lambda entry point: `lambdas/handlers/<name>.ts`, each exporting `handler`. */
export const HANDLER_NAMES = [
  'plans-api',
  'reports-api',
  'action-link',
  // Public GET|HEAD /room/{token}: the deal room's read-only pages (item-level reads only).
  'deal-room',
  'gate-deadline',
  'gate-open',
  'gate-escalate',
  'register-deal',
  'reminder-sweep',
  'ses-events',
  // A rule on the tenant bus: stage passes and closes, announced to the owners (lib/constructs/announcer.ts).
  'announce',
  // Only for tenants with `ace` (lib/constructs/ace-sync.ts).
  'ace-sync',
] as const;

export type HandlerName = (typeof HANDLER_NAMES)[number];

/**
 * Packages a handler imports only on some requests (`await import(...)`), kept out of its bundle and shipped
 * beside it in `node_modules/`, so a cold start does not load them. plans-api reads YAML bodies with js-yaml
 * (46 KB minified, more than the rest of its own code): JSON bodies never load it.
 */
export const LAZY_MODULES: Partial<Record<HandlerName, readonly string[]>> = {
  'plans-api': ['js-yaml'],
};

/** The files of a lazy module that are shipped: its package.json, licence and ESM entry. */
export const LAZY_MODULE_FILES: Record<string, readonly string[]> = {
  'js-yaml': ['package.json', 'LICENSE', 'dist/js-yaml.mjs'],
};

/**
 * NODE_OPTIONS of every function. No `--enable-source-maps`: with a 2.7 MB map it made cold import about
 * 1.2x slower and took 12 MiB more memory (`npm run bench:bundles -- --source-maps` prints the cost).
 * The map is still written beside the bundle (index.mjs.map) to resolve a minified stack trace offline.
 */
export const FUNCTION_NODE_OPTIONS = '';

/** Whether esbuild writes index.mjs.map beside each bundle (read by bench:bundles). */
export const WRITES_SOURCE_MAP = true;

/** Repository root, resolved from this file so synth works from any working directory. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function handlerEntry(name: HandlerName): string {
  return fileURLToPath(new URL(`../../lambdas/handlers/${name}.ts`, import.meta.url));
}

export interface CosellFunctionProps
  extends Omit<
    NodejsFunctionProps,
    'entry' | 'handler' | 'runtime' | 'architecture' | 'tracing' | 'logGroup' | 'bundling' | 'role'
  > {
  /** Which `lambdas/handlers/<name>.ts` to bundle. */
  readonly handlerName: HandlerName;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The one Lambda function shape of Cosell Flow: newest Node.js runtime on ARM, X-Ray active tracing, its own
 * log group with retention, JSON logs, and an ESM bundle built locally by esbuild with the AWS SDK inside
 * (pinned versions, faster cold start than the runtime's copy). Grant to it directly: it is IGrantable.
 */
export class CosellFunction extends Construct implements iam.IGrantable {
  public readonly lambdaFunction: NodejsFunction;
  public readonly logGroup: logs.LogGroup;
  public readonly role: iam.Role;
  public readonly handlerName: HandlerName;

  constructor(scope: Construct, id: string, props: CosellFunctionProps) {
    super(scope, id);
    const { handlerName, logRetention, ...functionProps } = props;
    this.handlerName = handlerName;
    const lazy = LAZY_MODULES[handlerName] ?? [];

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logRetention ?? logs.RetentionDays.ONE_MONTH,
    });

    // Own role instead of AWSLambdaBasicExecutionRole (whose logs:* on every log group is broader than
    // needed): this role may write only to the function's own log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Cosell Flow ${handlerName} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.lambdaFunction = new NodejsFunction(this, 'Function', {
      memorySize: 256,
      timeout: Duration.seconds(10),
      ...functionProps,
      ...(FUNCTION_NODE_OPTIONS
        ? { environment: { NODE_OPTIONS: FUNCTION_NODE_OPTIONS, ...functionProps.environment } }
        : {}),
      entry: handlerEntry(handlerName),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: fileURLToPath(new URL('../../package-lock.json', import.meta.url)),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: WRITES_SOURCE_MAP,
        target: 'node24',
        mainFields: ['module', 'main'],
        // ESM bundles still meet CommonJS dependencies that call require(); give them one.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        externalModules: [...lazy],
        ...(lazy.length > 0 ? { commandHooks: shipLazyModules(lazy) } : {}),
        forceDockerBundling: false,
      },
    });

    // Lambda's X-Ray integration needs xray:PutTraceSegments/PutTelemetryRecords, which have no resource type.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support only Resource "*".',
    });
  }

  public get grantPrincipal(): iam.IPrincipal {
    return this.lambdaFunction.grantPrincipal;
  }

  public addEnvironment(key: string, value: string): this {
    this.lambdaFunction.addEnvironment(key, value);
    return this;
  }
}

/** Copies each lazy module's files into the asset's node_modules after esbuild has written the bundle. */
export function shipLazyModules(modules: readonly string[]) {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string): string[] =>
      modules.flatMap((name) =>
        (LAZY_MODULE_FILES[name] ?? ['package.json']).flatMap((file) => {
          const to = `${outputDir}/node_modules/${name}/${file}`;
          return [
            `mkdir -p "${to.slice(0, to.lastIndexOf('/'))}"`,
            `cp "${inputDir}/node_modules/${name}/${file}" "${to}"`,
          ];
        }),
      ),
  };
}
