import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANNOUNCE_MARGIN_MS } from '../../lambdas/domain/use-cases/announcements';
import { REPO_ROOT } from '../../lib/constructs/cosell-function';
import { logicalIdOf } from '../../lib/constructs/nag-findings';
import {
  type Access,
  CosellFlowStack,
  FUNCTION_ACCESS,
  STATE_MACHINE_CLIENTS,
} from '../../lib/cosell-flow-stack';
import { createTableInput, TABLE_DEFINITIONS, TABLE_KEYS, type TableKey } from '../../lib/table-definitions';
import { loadTenantConfig } from '../../lib/tenant-config';
import {
  type AslDefinition,
  type AslTaskState,
  PLAYBOOK_STAGE_KEYS,
  TASK_STATE_HANDLERS,
} from '../../lib/workflow/playbook.definition';

// One synth (seven esbuild bundles) for the whole file, built exactly as bin/app.ts builds it.
let app: App;
let stack: CosellFlowStack;
let template: Template;
type Resource = {
  Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, read by path in assertions
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};
let resources: Record<string, Resource>;

beforeAll(() => {
  app = new App();
  const config = loadTenantConfig({ tenant: 'acme', context: () => undefined, rootDir: REPO_ROOT });
  stack = new CosellFlowStack(app, 'CosellFlow-acme', { config });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  template = Template.fromStack(stack); // runs the validation plugins: a nag finding would throw here
  resources = template.toJSON().Resources;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const getAtt = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalIdOf(construct), 'Arn'] });

// ---------------------------------------------------------------------------------------------------------
// What each function may touch, read back from the synthesized IAM policies as "<resource> <action>" pairs,
// and compared with FUNCTION_ACCESS through this file's own reading of each access name (not the stack's).

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };
type Handler = keyof CosellFlowStack['functions'];
const HANDLERS = Object.keys(FUNCTION_ACCESS) as Handler[];

function statementsOf(roleLogicalId: string): Statement[] {
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleLogicalId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

const TABLE_ACCESS_NAMES: Record<TableKey, string> = {
  plans: 'plans',
  milestones: 'milestones',
  links: 'links',
  idempotency: 'idempotency',
  partnerPlans: 'partner-plans',
};

/** A statement's resource by name: `plans`, `plans/index/*`, `link-keys`, `ses`, `executions`, ... */
function resourceName(resource: unknown, handler: Handler): string {
  const json = JSON.stringify(resource);
  for (const key of TABLE_KEYS) {
    const arn = JSON.stringify(getAtt(stack.planStore.tables[key]));
    if (json === arn) return TABLE_ACCESS_NAMES[key];
    if (json === JSON.stringify({ 'Fn::Join': ['', [getAtt(stack.planStore.tables[key]), '/index/*']] }))
      return `${TABLE_ACCESS_NAMES[key]}/index/*`;
  }
  if (json === JSON.stringify(getAtt(stack.functions[handler].logGroup))) return 'own-log-group';
  if (json === '"*"') return '*';
  if (json === JSON.stringify({ Ref: logicalIdOf(stack.signingKeys.secret) })) return 'link-keys';
  if (json === JSON.stringify({ Ref: logicalIdOf(stack.workflow.stateMachine) })) return 'state-machine';
  if (json === JSON.stringify(getAtt(stack.tenantBus.eventBus))) return 'tenant-bus';
  if (json === JSON.stringify(getAtt(stack.tenantBus.deadLetterQueue))) return 'events-dead-letter-queue';
  if (json.includes(':stateMachine:cosell-flow-acme-playbook')) return 'state-machine-by-name';
  if (json.includes(':execution:') && json.endsWith(':*"]]}')) return 'executions';
  if (json.includes(':identity/') || json.includes(':configuration-set/')) return 'ses';
  throw new Error(`${handler}: a statement on an unknown resource ${json}`);
}

/** Every "<resource> <action>" a function's role allows, sorted. */
function allowedOf(handler: Handler): string[] {
  const pairs = new Set<string>();
  for (const s of statementsOf(logicalIdOf(stack.functions[handler].role))) {
    expect(s.Effect).toBe('Allow');
    for (const r of resourcesOf(s)) {
      const name = resourceName(r, handler);
      for (const a of actionsOf(s)) pairs.add(`${name} ${a}`);
    }
  }
  return [...pairs].sort();
}

// CDK's table grants, as of aws-cdk-lib 2: every data action, on the table and its indexes.
const CDK_READ = [
  'BatchGetItem',
  'ConditionCheckItem',
  'DescribeTable',
  'GetItem',
  'GetRecords',
  'GetShardIterator',
  'Query',
  'Scan',
];
const CDK_WRITE = ['BatchWriteItem', 'DeleteItem', 'PutItem', 'UpdateItem'];
const INDEXED = new Set(['plans', 'milestones']);

/** What one access name of FUNCTION_ACCESS allows, as "<resource> <action>" pairs. */
function pairsOf(access: Access): string[] {
  const [what, how] = access.split(':') as [string, string];
  const on = (resources: string[], actions: string[]) =>
    resources.flatMap((r) => actions.map((a) => `${r} ${a}`));
  const table = (actions: string[], indexes: boolean) =>
    on(
      [what, ...(indexes && INDEXED.has(what) ? [`${what}/index/*`] : [])],
      actions.map((a) => `dynamodb:${a}`),
    );
  switch (access) {
    case 'link-keys:read':
      return on(['link-keys'], ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);
    case 'ses:send':
      return on(['ses'], ['ses:SendEmail']);
    case 'workflow:start-execution':
      return on(['state-machine'], ['states:StartExecution']);
    case 'workflow:task-response':
      return on(
        ['state-machine-by-name'],
        ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      );
    case 'workflow:reconcile':
      return [
        ...on(['state-machine'], ['states:StartExecution', 'states:ListExecutions']),
        ...on(
          ['executions'],
          ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:RedriveExecution'],
        ),
      ];
    case 'events:put':
      return on(['tenant-bus'], ['events:PutEvents']);
  }
  switch (how) {
    case 'read':
      return table(CDK_READ, true);
    case 'read-write':
      return table([...CDK_READ, ...CDK_WRITE], true);
    case 'read-item':
      return table(['GetItem'], false);
    case 'write-item':
      return table(['PutItem', 'UpdateItem', 'ConditionCheckItem'], false);
    case 'query':
      return table(['Query'], false);
  }
  throw new Error(`no meaning written for ${access}`);
}

/** Every function logs to its own log group and traces with X-Ray (Resource "*", the only form it accepts). */
const BASELINE = [
  'own-log-group logs:CreateLogStream',
  'own-log-group logs:PutLogEvents',
  '* xray:PutTraceSegments',
  '* xray:PutTelemetryRecords',
];

/** A rule's target that Lambda retries itself puts the event it could not take in the bus's dead-letter queue. */
const DEAD_LETTERS: Partial<Record<Handler, string[]>> = {
  announce: ['events-dead-letter-queue sqs:SendMessage'],
};

describe('least privilege: each function holds exactly the grants of docs/design.md', () => {
  it.each(HANDLERS)(
    '%s holds what FUNCTION_ACCESS names, each grant action by action, nothing more',
    (handler) => {
      const expected = new Set([
        ...BASELINE,
        ...(DEAD_LETTERS[handler] ?? []),
        ...FUNCTION_ACCESS[handler].flatMap(pairsOf),
      ]);
      expect(allowedOf(handler)).toEqual([...expected].sort());
    },
  );

  it.each([
    [
      'plans-api',
      [
        'plans:read-write',
        'milestones:read-write',
        'partner-plans:read-write',
        'workflow:start-execution',
        'link-keys:read',
        'idempotency:read-write',
        'ses:send',
        'workflow:task-response',
        'events:put',
      ],
    ],
    ['reports-api', ['plans:read', 'milestones:read', 'partner-plans:read', 'link-keys:read']],
    [
      'action-link',
      [
        'plans:read-item',
        'plans:write-item',
        'milestones:query',
        'milestones:write-item',
        'links:read-item',
        'links:write-item',
        'idempotency:read-item',
        'idempotency:write-item',
        'link-keys:read',
        'ses:send',
        'workflow:task-response',
        'events:put',
      ],
    ],
    [
      'gate-deadline',
      ['plans:read-write', 'milestones:read-write', 'idempotency:read-write', 'events:put', 'link-keys:read'],
    ],
    [
      'gate-open',
      [
        'plans:read-write',
        'milestones:read',
        'idempotency:read-write',
        'link-keys:read',
        'ses:send',
        'workflow:task-response',
      ],
    ],
    [
      'gate-escalate',
      [
        'plans:read-write',
        'milestones:read',
        'idempotency:read-write',
        'link-keys:read',
        'ses:send',
        'events:put',
      ],
    ],
    [
      'register-deal',
      [
        'plans:read-write',
        'milestones:read',
        'partner-plans:read',
        'idempotency:read-write',
        'events:put',
        'link-keys:read',
      ],
    ],
    [
      'reminder-sweep',
      [
        'milestones:read-write',
        'plans:read-write',
        'idempotency:read-write',
        'link-keys:read',
        'ses:send',
        'events:put',
        'workflow:reconcile',
        'workflow:task-response',
      ],
    ],
    ['ses-events', ['plans:read', 'milestones:read', 'idempotency:read-write', 'ses:send']],
    ['deal-room', ['plans:read-item', 'milestones:query', 'idempotency:read-item', 'link-keys:read']],
    [
      'announce',
      [
        'plans:read-item',
        'plans:write-item',
        'milestones:query',
        'milestones:write-item',
        'idempotency:read-item',
        'idempotency:write-item',
        'link-keys:read',
        'ses:send',
      ],
    ],
  ] as const)('%s: FUNCTION_ACCESS is the table of docs/design.md', (handler, expected) => {
    expect([...FUNCTION_ACCESS[handler]].sort()).toEqual([...expected].sort());
  });

  it('gives the public action-link function item-level actions on one deal only: no Scan, DeleteItem or batch', () => {
    const dynamo = allowedOf('action-link').filter((p) => p.includes(' dynamodb:'));
    const actions = new Set(dynamo.map((p) => p.split(' ')[1]));
    expect([...actions].sort()).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(dynamo.filter((p) => p.includes('/index/'))).toEqual([]); // no index at all
    expect(dynamo.filter((p) => p.endsWith('dynamodb:Query'))).toEqual(['milestones dynamodb:Query']);
    expect(dynamo.some((p) => p.startsWith('partner-plans '))).toBe(false);
  });

  it('gives the public deal-room function reads of one deal only: GetItem and the milestones Query', () => {
    const dynamo = allowedOf('deal-room').filter((p) => p.includes(' dynamodb:'));
    expect(dynamo.sort()).toEqual([
      'idempotency dynamodb:GetItem',
      'milestones dynamodb:Query',
      'plans dynamodb:GetItem',
    ]);
    expect(allowedOf('deal-room').filter((p) => / (ses|states|events):/.test(p))).toEqual([]);
  });

  const holders = (pair: string) => HANDLERS.filter((h) => allowedOf(h).includes(pair)).sort();

  it('gives no SES permission to gate-deadline or register-deal', () => {
    expect(holders('ses ses:SendEmail')).toEqual([
      'action-link',
      'announce',
      'gate-escalate',
      'gate-open',
      'plans-api',
      'reminder-sweep',
      'ses-events',
    ]);
  });

  it('lets only the functions that publish put events, and only on the tenant bus', () => {
    expect(holders('tenant-bus events:PutEvents')).toEqual([
      'action-link',
      'gate-deadline',
      'gate-escalate',
      'plans-api',
      'register-deal',
      'reminder-sweep',
    ]);
    for (const h of HANDLERS)
      expect(
        allowedOf(h).filter((p) => p.endsWith('events:PutEvents') && !p.startsWith('tenant-bus ')),
      ).toEqual([]);
  });

  it('lets only action-link, gate-open, plans-api (amend, close) and the reconciler (reminder-sweep) complete a gate', () => {
    expect(holders('state-machine-by-name states:SendTaskSuccess')).toEqual([
      'action-link',
      'gate-open',
      'plans-api',
      'reminder-sweep',
    ]);
  });

  it('lets plans-api and the reconciler start executions; only the reconciler describes and redrives them', () => {
    expect(holders('state-machine states:StartExecution')).toEqual(['plans-api', 'reminder-sweep']);
    expect(holders('executions states:RedriveExecution')).toEqual(['reminder-sweep']);
    expect(holders('executions states:DescribeExecution')).toEqual(['reminder-sweep']);
  });

  it('scopes SES sending to the sender identity, the configuration set and the From address', () => {
    for (const handler of [
      'action-link',
      'gate-open',
      'gate-escalate',
      'reminder-sweep',
      'ses-events',
    ] as const) {
      const [ses] = statementsOf(logicalIdOf(stack.functions[handler].role)).filter((s) =>
        actionsOf(s).includes('ses:SendEmail'),
      );
      expect(actionsOf(ses as Statement)).toEqual(['ses:SendEmail']);
      const arns = JSON.stringify(ses?.Resource);
      expect(arns).toContain(':identity/deals@acme.example');
      expect(arns).toContain(':identity/acme.example');
      expect(arns).toContain(':configuration-set/');
      expect(arns).not.toContain('"*"');
      expect(ses?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'deals@acme.example' } });
    }
  });

  it('grants task responses on the playbook state machine by its name', () => {
    const [s] = statementsOf(logicalIdOf(stack.functions['gate-open'].role)).filter((st) =>
      actionsOf(st).includes('states:SendTaskSuccess'),
    );
    expect(JSON.stringify(s?.Resource)).toContain(':stateMachine:cosell-flow-acme-playbook');
  });

  it('uses no AWS managed policies and no inline policies on roles', () => {
    for (const [, role] of ofType('AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('plan store', () => {
  it('has the five tables, each on-demand, encrypted, with PITR, deletion protection, retained', () => {
    const tables = ofType('AWS::DynamoDB::Table');
    expect(tables).toHaveLength(5);
    for (const [, table] of tables) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
      // AWS-managed KMS key: no customer key to manage or grant.
      expect(table.Properties.SSESpecification.KMSMasterKeyId).toBeUndefined();
    }
  });

  it.each(TABLE_KEYS)(
    'builds %s from TABLE_DEFINITIONS (what the local runtime creates)',
    (key: TableKey) => {
      const def = TABLE_DEFINITIONS[key];
      const expected = createTableInput(def, `cosell-flow-acme-${def.nameSuffix}`);
      const table = resources[logicalIdOf(stack.planStore.tables[key])] as Resource;
      expect(table.Properties.TableName).toBe(expected.TableName);
      expect(table.Properties.KeySchema).toEqual(expected.KeySchema);
      expect(table.Properties.AttributeDefinitions).toEqual(
        expect.arrayContaining(expected.AttributeDefinitions),
      );
      expect(table.Properties.AttributeDefinitions).toHaveLength(expected.AttributeDefinitions.length);
      expect(table.Properties.GlobalSecondaryIndexes).toEqual(expected.GlobalSecondaryIndexes);
      expect(table.Properties.TimeToLiveSpecification).toEqual(
        def.timeToLiveAttribute ? { AttributeName: def.timeToLiveAttribute, Enabled: true } : undefined,
      );
    },
  );

  it('has the partner-plans table keyed by the normalised partner name, its name in every function env', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'cosell-flow-acme-partner-plans',
      KeySchema: [{ AttributeName: 'partnerKey', KeyType: 'HASH' }],
    });
    for (const fn of Object.values(stack.functions)) {
      const env = (resources[logicalIdOf(fn.lambdaFunction)] as Resource).Properties.Environment.Variables;
      expect(env.PARTNER_PLANS_TABLE).toEqual({ Ref: logicalIdOf(stack.planStore.partnerPlans) });
    }
  });

  it('has the sparse open-by-due index on milestones: PK openShard, SK nudgeAt, all attributes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'cosell-flow-acme-milestones',
      KeySchema: [
        { AttributeName: 'planId', KeyType: 'HASH' },
        { AttributeName: 'milestoneId', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'open-by-due',
          KeySchema: [
            { AttributeName: 'openShard', KeyType: 'HASH' },
            { AttributeName: 'nudgeAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('expires links on expiresAt and idempotency records on expiration', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'cosell-flow-acme-links',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'cosell-flow-acme-idempotency',
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('playbook state machine', () => {
  let machine: Resource;
  let definition: AslDefinition;
  /** Function logical id -> handler name. */
  let handlerByLogicalId: Map<string, string>;

  beforeAll(() => {
    const machines = ofType('AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(1);
    machine = (machines[0] as [string, Resource])[1];
    // Render the definition as deployed: each ${Placeholder} replaced by the function its substitution names.
    const substitutions = machine.Properties.DefinitionSubstitutions as Record<
      string,
      { 'Fn::GetAtt': string[] }
    >;
    const rendered = (machine.Properties.DefinitionString as string).replace(
      /\$\{(\w+)\}/g,
      (_m, name: string) => {
        const att = substitutions[name];
        if (!att) throw new Error(`no substitution for \${${name}}`);
        return `arn:aws:lambda:::function:${att['Fn::GetAtt'][0]}`;
      },
    );
    definition = JSON.parse(rendered);
    handlerByLogicalId = new Map(
      Object.entries(stack.functions).map(([name, fn]) => [logicalIdOf(fn.lambdaFunction), name]),
    );
  });

  const taskStates = () =>
    Object.entries(definition.States).filter(([, s]) => s.Type === 'Task') as [string, AslTaskState][];

  it('is a Standard state machine logging errors only, without execution data (no task token, no names), traced', () => {
    expect(machine.Properties).toMatchObject({
      StateMachineName: 'cosell-flow-acme-playbook',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
    });
    // The rendered logging configuration, read whole: nothing else may be switched on.
    expect(machine.Properties.LoggingConfiguration).toEqual({
      Level: 'ERROR',
      IncludeExecutionData: false,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: getAtt(stack.workflow.logGroup) } }],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/vendedlogs/states/cosell-flow-acme-playbook',
      RetentionInDays: Match.anyValue(),
    });
  });

  it('retries transient application errors with backoff on every task, and catches nothing but the gate timeout', () => {
    for (const [name, s] of taskStates()) {
      const retried = s.Retry.flatMap((r) => r.ErrorEquals);
      for (const error of [
        'TransientError',
        'DeliveryDeferredError',
        'ThrottlingException',
        'Lambda.ServiceException',
      ])
        expect(retried, name).toContain(error);
      // With backoff, all but the gate's GateRetry (a fix asked the task to run again: at once).
      const backoff = s.Retry.filter((r) => !r.ErrorEquals.includes('GateRetry'));
      expect(
        backoff.every((r) => r.BackoffRate > 1 && r.IntervalSeconds > 0),
        name,
      ).toBe(true);
      expect(
        (s.Catch ?? []).flatMap((c) => c.ErrorEquals),
        name,
      ).toEqual(name.startsWith('Await gate: ') ? ['States.Timeout'] : []);
    }
  });

  it('hands each gate the ARN of its execution, so the reconciler knows which one waits there', () => {
    for (const [name, s] of taskStates().filter(([n]) => n.startsWith('Await gate: ')))
      expect(s.Parameters.Payload, name).toMatchObject({ 'executionArn.$': '$$.Execution.Id' });
  });

  it('invokes, from each Task state, the function of the handler TASK_STATE_HANDLERS names', () => {
    for (const [name, s] of taskStates()) {
      const logicalId = String(s.Parameters.FunctionName).split(':function:')[1] ?? '';
      expect(handlerByLogicalId.get(logicalId), name).toBe(TASK_STATE_HANDLERS[name]);
    }
  });

  it('has five .waitForTaskToken gates, each timing out from $.gate into an Escalate state that loops back', () => {
    const gates = taskStates().filter(([, s]) => s.Resource.endsWith('.waitForTaskToken'));
    expect(gates.map(([name]) => name)).toEqual(PLAYBOOK_STAGE_KEYS.map((k) => `Await gate: ${k}`));
    for (const [name, gate] of gates) {
      const stage = name.slice('Await gate: '.length);
      expect(gate.TimeoutSecondsPath).toBe('$.gate.timeoutSeconds');
      expect(gate.Parameters.Payload).toMatchObject({ 'taskToken.$': '$$.Task.Token' });
      expect(gate.Catch).toEqual([
        { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: `Escalate: ${stage}` },
      ]);
      expect((definition.States[`Escalate: ${stage}`] as AslTaskState).Next).toBe(name);
    }
  });

  it('sends a lost gate to "Register lost deal" from every stage, and registers a won deal after stage 5', () => {
    for (const k of PLAYBOOK_STAGE_KEYS) {
      expect(definition.States[`Gate outcome: ${k}`]).toMatchObject({
        Type: 'Choice',
        Choices: [{ Variable: '$.gateResult.outcome', StringEquals: 'lost', Next: 'Register lost deal' }],
      });
    }
    expect(definition.States['Gate outcome: close-register-review']).toMatchObject({
      Default: 'Register won deal',
    });
    expect(definition.States['Register won deal']).toMatchObject({ Next: 'Deal won' });
    expect(definition.States['Register lost deal']).toMatchObject({ Next: 'Deal lost' });
    expect(definition.States['Deal won']).toEqual({ Type: 'Succeed' });
    expect(definition.States['Deal lost']).toEqual({ Type: 'Succeed' });
  });

  it('may invoke exactly the four task functions', () => {
    const statements = statementsOf(logicalIdOf(stack.workflow.stateMachine.role));
    const invoked = statements
      .filter((s) => actionsOf(s).includes('lambda:InvokeFunction'))
      .map((s) => (resourcesOf(s)[0] as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] ?? '')
      .map((id) => handlerByLogicalId.get(id))
      .sort();
    expect(invoked).toEqual(['gate-deadline', 'gate-escalate', 'gate-open', 'register-deal']);
    expect(
      statements.flatMap(actionsOf).filter((a) => !/^(lambda:InvokeFunction|logs:|xray:)/.test(a)),
    ).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('functions', () => {
  const DESIGN_ENV = [
    'TENANT',
    'PLANS_TABLE',
    'MILESTONES_TABLE',
    'LINKS_TABLE',
    'IDEMPOTENCY_TABLE',
    'PARTNER_PLANS_TABLE',
    'SENDER_ADDRESS',
    'SES_CONFIGURATION_SET',
    'PUBLIC_BASE_URL',
    'DEFAULT_TIMEZONE',
    'EVENT_BUS_NAME',
    'LINK_KEYS_SECRET_ARN',
    'LINK_TTL_DAYS',
    'GHOSTING_DAYS',
    'ROOM_LINK_TTL_DAYS',
    'VENDOR_NAME',
    'WORKWEEK',
    'HOLIDAYS',
    'ESCALATION_GRACE_BUSINESS_DAYS',
    'STAGE_WEIGHTS',
    'POWERTOOLS_SERVICE_NAME',
    'POWERTOOLS_LOG_LEVEL',
    // No NODE_OPTIONS: --enable-source-maps is not set (see FUNCTION_NODE_OPTIONS in cosell-function.ts).
  ];

  it('are eleven, all Node.js 24 on ARM with active tracing and JSON logs to their own log group', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns).toHaveLength(11);
    const logGroups = new Set<string>();
    for (const [, fn] of fns) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
      });
      logGroups.add(fn.Properties.LoggingConfig.LogGroup.Ref);
    }
    expect(logGroups.size).toBe(11);
    for (const id of logGroups) expect(resources[id]?.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it.each([
    'plans-api',
    'reports-api',
    'action-link',
    'deal-room',
    'gate-deadline',
    'gate-open',
    'gate-escalate',
    'register-deal',
    'reminder-sweep',
    'ses-events',
  ] as const)('%s gets the environment of docs/design.md', (handler) => {
    const fn = stack.functions[handler];
    const env = (resources[logicalIdOf(fn.lambdaFunction)] as Resource).Properties.Environment.Variables;
    const clientsOfTheMachine: string[] = [...STATE_MACHINE_CLIENTS];
    expect(clientsOfTheMachine.sort()).toEqual(['plans-api', 'reminder-sweep']);
    const expected = clientsOfTheMachine.includes(handler)
      ? [...DESIGN_ENV, 'STATE_MACHINE_ARN']
      : DESIGN_ENV;
    expect(Object.keys(env).sort()).toEqual([...expected].sort());
    expect(env).toMatchObject({
      TENANT: 'acme',
      SENDER_ADDRESS: 'deals@acme.example',
      PUBLIC_BASE_URL: 'https://deals.acme.example',
      DEFAULT_TIMEZONE: 'America/New_York',
      LINK_TTL_DAYS: '14',
      GHOSTING_DAYS: '7',
      ROOM_LINK_TTL_DAYS: '90',
      POWERTOOLS_SERVICE_NAME: 'cosell-flow',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      PLANS_TABLE: { Ref: logicalIdOf(stack.planStore.plans) },
      LINK_KEYS_SECRET_ARN: { Ref: logicalIdOf(stack.signingKeys.secret) },
      EVENT_BUS_NAME: { Ref: logicalIdOf(stack.tenantBus.eventBus) },
    });
    if (clientsOfTheMachine.includes(handler)) {
      expect(env.STATE_MACHINE_ARN).toEqual({ Ref: logicalIdOf(stack.workflow.stateMachine) });
    }
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('HTTP API', () => {
  it('has the twenty routes: /plans, /partner-plans and /reports signed with IAM, /a/{token} and /room/{token} public', () => {
    const routes = Object.fromEntries(
      ofType('AWS::ApiGatewayV2::Route').map(([, r]) => [
        r.Properties.RouteKey,
        r.Properties.AuthorizationType,
      ]),
    );
    expect(routes).toEqual({
      'POST /plans': 'AWS_IAM',
      'GET /plans': 'AWS_IAM',
      'GET /plans/{planId}': 'AWS_IAM',
      'PUT /plans/{planId}': 'AWS_IAM',
      'POST /plans/{planId}/close': 'AWS_IAM',
      'GET /plans/{planId}/history': 'AWS_IAM',
      'GET /plans/{planId}/schedule': 'AWS_IAM',
      'POST /plans/{planId}/room-link': 'AWS_IAM',
      'POST /plans/{planId}/retry': 'AWS_IAM',
      'PUT /partner-plans': 'AWS_IAM',
      'GET /partner-plans': 'AWS_IAM',
      'GET /reports/program': 'AWS_IAM',
      'GET /reports/program.html': 'AWS_IAM',
      'GET /reports/program.csv': 'AWS_IAM',
      'GET /plans/{planId}/one-pager': 'AWS_IAM',
      'GET /a/{token}': 'NONE',
      'HEAD /a/{token}': 'NONE',
      'POST /a/{token}': 'NONE',
      'GET /room/{token}': 'NONE',
      'HEAD /room/{token}': 'NONE',
    });
  });

  it('routes /plans and /partner-plans to plans-api, reports and one-pagers to reports-api, /a/{token} to action-link, /room/{token} to deal-room', () => {
    const integrationTarget = (routeKey: string) => {
      const [, route] =
        ofType('AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === routeKey) ?? [];
      const integrationId = route?.Properties.Target['Fn::Join'][1][1].Ref as string;
      return resources[integrationId]?.Properties.IntegrationUri;
    };
    const plansApi = getAtt(stack.functions['plans-api'].lambdaFunction);
    const actionLink = getAtt(stack.functions['action-link'].lambdaFunction);
    const reportsApi = getAtt(stack.functions['reports-api'].lambdaFunction);
    const dealRoom = getAtt(stack.functions['deal-room'].lambdaFunction);
    for (const key of [
      'POST /plans',
      'GET /plans',
      'GET /plans/{planId}',
      'GET /plans/{planId}/schedule',
      'POST /plans/{planId}/room-link',
      'POST /plans/{planId}/retry',
      'PUT /partner-plans',
      'GET /partner-plans',
    ])
      expect(integrationTarget(key)).toEqual(plansApi);
    for (const key of [
      'GET /reports/program',
      'GET /reports/program.html',
      'GET /reports/program.csv',
      'GET /plans/{planId}/one-pager',
    ])
      expect(integrationTarget(key)).toEqual(reportsApi);
    for (const key of ['GET /a/{token}', 'HEAD /a/{token}', 'POST /a/{token}']) {
      expect(integrationTarget(key)).toEqual(actionLink);
    }
    for (const key of ['GET /room/{token}', 'HEAD /room/{token}'])
      expect(integrationTarget(key)).toEqual(dealRoom);
  });

  it('throttles each public link route on its own, apart from the operator routes, and logs no token', () => {
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      // Every operator route: its own bucket of the ops size (opsRateLimit, opsBurstLimit).
      DefaultRouteSettings: { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 50 },
      AccessLogSettings: { DestinationArn: getAtt(stack.api.accessLogGroup) },
    });
    // The public routes: their own limits (linkRateLimit, linkBurstLimit), so junk tokens 429 only them.
    expect(stage.Properties.RouteSettings).toEqual({
      'GET /a/{token}': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      'HEAD /a/{token}': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      'POST /a/{token}': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      // The deal room's own bucket (roomRateLimit, roomBurstLimit).
      'GET /room/{token}': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
      'HEAD /room/{token}': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
    // A route setting names its route by key: the stage is created after the routes.
    const routeIds = stack.api.actionLinkRoutes.map((r) => logicalIdOf(r));
    const [[stageId]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    expect(template.toJSON().Resources[stageId].DependsOn).toEqual(expect.arrayContaining(routeIds));
    // The deal room's setting is there before its routes.
    expect(stack.api.throttles.room).toEqual({ rateLimit: 5, burstLimit: 10 });
    const format = stage.Properties.AccessLogSettings.Format as string;
    expect(JSON.parse(format)).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
    });
    expect(format).not.toMatch(/\$context\.(path|resourcePath)\b/);
  });

  it('takes the per-route limits from the tenant settings', () => {
    const config = loadTenantConfig({
      tenant: 'acme',
      context: () => undefined,
      rootDir: REPO_ROOT,
    });
    const tuned = new CosellFlowStack(new App(), 'CosellFlow-tuned', {
      config: { ...config, linkRateLimit: 3, linkBurstLimit: 6, opsRateLimit: 40, roomBurstLimit: 7 },
    });
    expect(tuned.api.throttles).toEqual({
      link: { rateLimit: 3, burstLimit: 6 },
      room: { rateLimit: 5, burstLimit: 7 },
      ops: { rateLimit: 40, burstLimit: 50 },
    });
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('reminders, signing keys, email, events', () => {
  it('runs the reminder sweep every 15 minutes through EventBridge Scheduler', () => {
    const sweep = stack.functions['reminder-sweep'];
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Target: { Arn: getAtt(sweep.lambdaFunction), RoleArn: getAtt(stack.reminders.schedulerRole) },
    });
    const statements = statementsOf(logicalIdOf(stack.reminders.schedulerRole));
    expect(statements.flatMap(actionsOf)).toEqual(['lambda:InvokeFunction']);
    expect(resourcesOf(statements[0] as Statement)[0]).toEqual(getAtt(sweep.lambdaFunction));
  });

  it('generates the link-key secret as {"current":"k1","k1":<64 characters>}, retained', () => {
    const [[, secret]] = ofType('AWS::SecretsManager::Secret') as [[string, Resource]];
    expect(secret.Properties.GenerateSecretString).toEqual({
      SecretStringTemplate: JSON.stringify({ current: 'k1' }),
      GenerateStringKey: 'k1',
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
    expect(secret.DeletionPolicy).toBe('Retain');
  });

  it('has an SES configuration set and creates no email identity', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
  });

  it('indexes plans by sharded review due (keys only) and by status shard for GET /plans (summary only)', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'cosell-flow-acme-plans',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'active-by-review',
          KeySchema: [
            { AttributeName: 'reviewShard', KeyType: 'HASH' },
            { AttributeName: 'nextReviewAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        {
          IndexName: 'plans-by-status',
          KeySchema: [
            { AttributeName: 'listShard', KeyType: 'HASH' },
            { AttributeName: 'listKey', KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: [
              'status',
              'stage',
              'listName',
              'listPartner',
              'listAccount',
              'partnerKey',
              'reportEntry',
            ],
          },
        },
      ],
    });
  });

  it('publishes bounce, complaint and reject events of the configuration set to the SNS topic', () => {
    const destination = resources[logicalIdOf(stack.notifier.eventDestination)] as Resource;
    expect(destination.Properties.ConfigurationSetName).toEqual({
      Ref: logicalIdOf(stack.notifier.configurationSet),
    });
    expect(destination.Properties.EventDestination).toMatchObject({
      Enabled: true,
      SnsDestination: { TopicARN: { Ref: logicalIdOf(stack.notifier.eventsTopic) } },
    });
    expect([...destination.Properties.EventDestination.MatchingEventTypes].sort()).toEqual([
      'bounce',
      'complaint',
      'reject',
    ]);
  });

  it('counts delivery events in CloudWatch metrics without a Lambda', () => {
    const metrics = resources[logicalIdOf(stack.notifier.deliveryMetrics)] as Resource;
    expect(metrics.Properties.EventDestination.MatchingEventTypes).toEqual(['delivery']);
    expect(metrics.Properties.EventDestination.CloudWatchDestination).toBeDefined();
    expect(metrics.Properties.EventDestination.SnsDestination).toBeUndefined();
  });

  it('encrypts the events topic with a rotating customer key SES may use, and enforces TLS', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const topic = resources[logicalIdOf(stack.notifier.eventsTopic)] as Resource;
    expect(topic.Properties.KmsMasterKeyId).toEqual(getAtt(stack.notifier.eventsKey));
    const key = resources[logicalIdOf(stack.notifier.eventsKey)] as Resource;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const sesOnKey = (key.Properties.KeyPolicy.Statement as Statement[]).find(
      (st) => JSON.stringify((st as { Principal?: unknown }).Principal) === '{"Service":"ses.amazonaws.com"}',
    );
    expect(actionsOf(sesOnKey as Statement).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(JSON.stringify(sesOnKey?.Condition)).toContain('aws:SourceArn');

    const [[, policy]] = ofType('AWS::SNS::TopicPolicy') as [[string, Resource]];
    const statements = policy.Properties.PolicyDocument.Statement as (Statement & { Principal?: unknown })[];
    // TLS only (AwsSolutions-SNS3), and only SES, for this account's configuration set, may publish.
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const publish = statements.find((st) => st.Effect === 'Allow' && actionsOf(st).includes('sns:Publish'));
    expect(publish?.Principal).toEqual({ Service: 'ses.amazonaws.com' });
    expect(JSON.stringify(publish?.Condition)).toContain(':configuration-set/');
  });

  it('delivers the topic to ses-events only (subscription and invoke permission)', () => {
    const fn = getAtt(stack.functions['ses-events'].lambdaFunction);
    const subs = ofType('AWS::SNS::Subscription').map(([, r]) => r.Properties);
    expect(subs).toEqual([
      expect.objectContaining({
        Protocol: 'lambda',
        Endpoint: fn,
        TopicArn: { Ref: logicalIdOf(stack.notifier.eventsTopic) },
      }),
    ]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: fn,
      Principal: 'sns.amazonaws.com',
      SourceArn: { Ref: logicalIdOf(stack.notifier.eventsTopic) },
    });
  });

  it('has the tenant event bus', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'cosell-flow-acme' });
  });

  it('archives every event of this account on the bus for a year, for replay', () => {
    template.resourceCountIs('AWS::Events::Archive', 1);
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: getAtt(stack.tenantBus.eventBus),
      RetentionDays: 365,
      EventPattern: { account: [{ Ref: 'AWS::AccountId' }] },
    });
  });

  it('has an encrypted, TLS-only dead-letter queue that only rules on the tenant bus may send to', () => {
    const dlq = stack.tenantBus.deadLetterQueue;
    const queue = resources[logicalIdOf(dlq)] as Resource;
    expect(queue.Type).toBe('AWS::SQS::Queue');
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    });
    const [policy] = ofType('AWS::SQS::QueuePolicy')
      .map(([, r]) => r.Properties)
      .filter((p) => JSON.stringify(p.Queues) === JSON.stringify([{ Ref: logicalIdOf(dlq) }]));
    const statements = policy?.PolicyDocument.Statement as (Statement & { Principal?: unknown })[];
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const send = statements.find((st) => st.Effect === 'Allow');
    expect(send).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage' });
    expect(JSON.stringify(send?.Condition)).toContain(
      `":rule/",{"Ref":"${logicalIdOf(stack.tenantBus.eventBus)}"},"/*"`,
    );
    // Targets of the tenant's rules take it with a retry policy (the pattern the README shows): from this
    // stack the queue itself, from another one the queue imported by its ARN (no two-way dependency).
    expect(stack.tenantBus.targetDefaults(stack)).toMatchObject({
      deadLetterQueue: dlq,
      retryAttempts: 8,
    });
    // (Its own App, so that the stack under test stays as bin/app.ts builds it.)
    const crm = new Stack(new App(), 'CrmIntegration-acme');
    const imported = stack.tenantBus.targetDefaults(crm).deadLetterQueue;
    expect(imported).not.toBe(dlq);
    expect(imported?.node.scope).toBe(crm);
    expect(stack.tenantBus.targetDefaults(crm).deadLetterQueue).toBe(imported);
  });

  it('alarms as soon as the dead-letter queue holds a message', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalIdOf(stack.tenantBus.deadLetterQueue), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('gives announce a timeout within half its margin, two retries, then the bus’s dead-letter queue', () => {
    const id = logicalIdOf(stack.functions.announce.lambdaFunction);
    const fn = resources[id];
    expect(fn?.Properties.Timeout * 1000 * 2).toBeLessThanOrEqual(ANNOUNCE_MARGIN_MS);
    expect(fn?.Properties.DeadLetterConfig).toEqual({
      TargetArn: { 'Fn::GetAtt': [logicalIdOf(stack.tenantBus.deadLetterQueue), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: id },
      MaximumRetryAttempts: 2,
    });
  });

  it('puts one rule of its own on the bus: stage passes and closes to announce (a tenant adds theirs)', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalIdOf(stack.tenantBus.eventBus) },
      EventPattern: {
        source: ['cosell.flow'],
        'detail-type': ['CoSell Stage Advanced', 'CoSell Deal Registered', 'CoSell Deal Closed Lost'],
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(stack.functions.announce.lambdaFunction), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(stack.tenantBus.deadLetterQueue), 'Arn'] } },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 8 }),
        }),
      ],
    });
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('no deal silently stuck: alarms', () => {
  it('alarms on any failed playbook execution', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalIdOf(stack.workflow.stateMachine) } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('turns the sweep\'s "deals reconciled" log line into a metric of deals needing attention, and alarms on it', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logicalIdOf(stack.reminders.sweepFunction.logGroup) },
      FilterPattern: '{ $.message = "deals reconciled" }',
      MetricTransformations: [
        {
          MetricNamespace: 'CosellFlow/acme',
          MetricName: 'DealsNeedingAttention',
          MetricValue: '$.needsAttention',
        },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CosellFlow/acme',
      MetricName: 'DealsNeedingAttention',
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.hasOutput('FailedExecutionsAlarmName', {});
    template.hasOutput('NeedsAttentionAlarmName', {});
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('cdk-nag AwsSolutions', () => {
  /** Every acknowledgement in the tree: [construct path, rule id, reason]. */
  function acknowledgements(): [string, string, string][] {
    const found: [string, string, string][] = [];
    const visit = (c: IConstruct) => {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          found.push([c.node.path, id.replace(/^annotation::/i, ''), reason]);
        }
      }
      for (const child of c.node.children) visit(child);
    };
    visit(app);
    return found;
  }

  it('reports no unacknowledged finding, error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('acknowledges only expected rules, each with a specific reason, next to its resource', () => {
    const acks = acknowledgements();
    expect(acks.length).toBeGreaterThan(0);
    for (const [path, id, reason] of acks) {
      expect(reason.length, `${path} ${id}`).toBeGreaterThan(40);
      expect(id).toMatch(
        /^AwsSolutions-(IAM5\[Resource::(\*|<\w+\.Arn>(:\*|\/index\/\*)|arn:<AWS::Partition>:states:.*:execution:.*:\*)\]|SMG4|APIG4|COG4|SQS3|SF1)$/,
      );
      expect(path).not.toBe('CosellFlow-acme'); // never stack-wide
    }
    // The public routes are the only unauthenticated ones.
    const apig4 = acks.filter(([, id]) => id === 'AwsSolutions-APIG4').map(([path]) => path);
    // The link routes (GET, HEAD, POST /a/{token}) and the deal room's (GET, HEAD /room/{token}).
    expect(apig4).toHaveLength(5);
    for (const path of apig4)
      expect(path).toMatch(/HttpApi\/((GET|HEAD|POST)--a--\{token\}|(GET|HEAD)--room--\{token\})$/);
    // SQS3 (no dead-letter queue of its own) only for the bus's dead-letter queue itself.
    const sqs3 = acks.filter(([, id]) => id === 'AwsSolutions-SQS3').map(([path]) => path);
    expect(sqs3).toEqual([stack.tenantBus.deadLetterQueue.node.path]);
    // SF1 (not logging ALL) only for the state machine, which logs errors without data on purpose.
    const sf1 = acks.filter(([, id]) => id === 'AwsSolutions-SF1').map(([path]) => path);
    expect(sf1).toEqual([stack.workflow.stateMachine.node.path]);
    // Every execution of the state machine: only for the reconciler's role.
    const executions = acks.filter(([, id]) => id.includes(':execution:')).map(([path]) => path);
    expect(executions).toEqual([stack.reminders.sweepFunction.role.node.path]);
    // The index wildcard is acknowledged only for the milestones and plans tables (their sparse indexes).
    const indexed = [stack.planStore.milestones, stack.planStore.plans].map((t) => `<${logicalIdOf(t)}.Arn>`);
    for (const [, id] of acks.filter(([, i]) => i.includes('/index/*')))
      expect(
        indexed.some((arn) => id.includes(arn)),
        id,
      ).toBe(true);
  });
});
