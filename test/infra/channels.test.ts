import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACE_SYNC_ACTIONS, AceSync } from '../../lib/constructs/ace-sync';
import { Channels } from '../../lib/constructs/channels';
import { logicalIdOf } from '../../lib/constructs/nag-findings';
import { Notifier } from '../../lib/constructs/notifier';
import { SigningKeys } from '../../lib/constructs/signing-keys';
import { TenantEventBus } from '../../lib/constructs/tenant-event-bus';
import {
  CHANNEL_EVENTS,
  type ChannelEvent,
  type ChannelSetting,
  DEFAULT_CHANNEL_EVENTS,
} from '../../lib/integration-settings';

// The local-only `url` is set on purpose: the stack must never read it.
const CHANNELS: ChannelSetting[] = [
  {
    name: 'deals',
    kind: 'slack',
    secretName: 'cosell-flow-acme/slack-deals',
    url: 'https://hooks.slack.com/services/T000/B000/SLACKSECRETPATH',
  },
  { name: 'globex-shared', kind: 'teams', secretName: 'cosell-flow-acme/teams-globex', partner: 'Globex' },
  {
    name: 'crm',
    kind: 'webhook',
    secretName: 'cosell-flow-acme/crm-webhook',
    events: ['registered', 'closed-lost'],
    url: 'https://crm.example/hooks/WEBHOOKSECRETPATH',
  },
];

let template: Template;
let json: string;
let stack: Stack;
let bus: TenantEventBus;
let aceSync: AceSync;
let notifier: Notifier;
let signingKeys: SigningKeys;
// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, read by path in assertions
type Resource = { Type: string; Properties: Record<string, any> };
let resources: Record<string, Resource>;
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

beforeAll(() => {
  const app = new App();
  stack = new Stack(app, 'ChannelsTest', { env: { account: '123456789012', region: 'us-east-1' } });
  bus = new TenantEventBus(stack, 'RegistrationEvents', { eventBusName: 'cosell-flow-acme' });
  new Channels(stack, 'Channels', { channels: CHANNELS, tenantBus: bus });
  notifier = new Notifier(stack, 'Notifier', { senderAddress: 'deals@links.acme.example' });
  signingKeys = new SigningKeys(stack, 'SigningKeys', { secretName: 'cosell-flow-acme/link-keys' });
  aceSync = new AceSync(stack, 'AceSync', {
    ace: { catalog: 'Sandbox', solutionId: 'S-0000001', onlyPaper: ['marketplace'] },
    tenantBus: bus,
    environment: { TENANT: 'acme', PLANS_TABLE: 'plans' },
    notifier,
    signingKeys,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  template = Template.fromStack(stack); // a cdk-nag finding would throw here
  json = JSON.stringify(template.toJSON());
  resources = template.toJSON().Resources;
}, 120_000);

describe('Channels', () => {
  it('never writes a channel URL or key into the template: each is a Secrets Manager dynamic reference', () => {
    expect(json).not.toContain('hooks.slack.com');
    expect(json).not.toContain('SLACKSECRETPATH');
    expect(json).not.toContain('WEBHOOKSECRETPATH');
    const endpoints = ofType('AWS::Events::ApiDestination').map((d) => d.Properties.InvocationEndpoint);
    expect(endpoints.sort()).toEqual(
      CHANNELS.map((c) => `{{resolve:secretsmanager:${c.secretName}:SecretString:url::}}`).sort(),
    );
  });

  it('has one connection and one API destination per channel; a webhook sends its API key from the secret', () => {
    const connections = ofType('AWS::Events::Connection');
    expect(connections).toHaveLength(3);
    expect(ofType('AWS::Events::ApiDestination').every((d) => d.Properties.HttpMethod === 'POST')).toBe(true);
    const keys = connections.map((c) => c.Properties.AuthParameters.ApiKeyAuthParameters);
    expect(keys).toContainEqual({
      ApiKeyName: 'x-api-key',
      ApiKeyValue: '{{resolve:secretsmanager:cosell-flow-acme/crm-webhook:SecretString:apiKey::}}',
    });
  });

  it('puts one rule per moment per channel on the tenant bus, with a transformer, retries and the DLQ', () => {
    const rules = ofType('AWS::Events::Rule').filter((r) =>
      (r.Properties.Targets as { Arn: unknown }[]).some((t) => JSON.stringify(t.Arn).includes('Destination')),
    );
    expect(rules).toHaveLength(DEFAULT_CHANNEL_EVENTS.length * 2 + 2);
    for (const rule of rules) {
      expect(rule.Properties.EventBusName).toEqual({ Ref: logicalIdOf(bus.eventBus) });
      expect(rule.Properties.EventPattern.source).toEqual(['cosell.flow']);
      const [target] = rule.Properties.Targets;
      expect(target.InputTransformer.InputTemplate).toEqual(expect.any(String));
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 });
      expect(target.DeadLetterConfig).toEqual({
        Arn: { 'Fn::GetAtt': [logicalIdOf(bus.deadLetterQueue), 'Arn'] },
      });
      expect(target.RoleArn).toBeDefined();
    }
    const slackStage = rules.find(
      (r) =>
        r.Properties.EventPattern['detail-type'][0] === 'CoSell Stage Advanced' &&
        r.Properties.Targets[0].InputTransformer.InputTemplate.startsWith('{"text"'),
    );
    expect(slackStage?.Properties.Targets[0].InputTransformer).toEqual({
      InputPathsMap: expect.objectContaining({
        planName: '$.detail.planName',
        partner: '$.detail.partner.name',
        account: '$.detail.account.name',
        stage: '$.detail.to',
        room: '$.detail.links.vendorRoom',
      }),
      InputTemplate: expect.stringContaining('Stage passed: <from> → <to>'),
    });
  });

  it('filters a partner-shared channel by partner and never sends it the economic split', () => {
    const shared = ofType('AWS::Events::Rule').filter((r) => r.Properties.EventPattern.detail?.partner);
    expect(shared).toHaveLength(DEFAULT_CHANNEL_EVENTS.length);
    for (const rule of shared) {
      expect(rule.Properties.EventPattern.detail).toEqual({
        partner: { name: [{ 'equals-ignore-case': 'Globex' }] },
      });
      const transformer = JSON.stringify(rule.Properties.Targets[0].InputTransformer);
      expect(transformer).not.toMatch(/economicSplit|partnerFeePercent|vendorRoom|\$\.detail"/);
      expect(transformer).toContain('$.detail.links.partnerRoom');
    }
  });

  it('sends a partner-shared webhook, for every moment, only the partner owner’s room link', () => {
    const app = new App();
    const own = new Stack(app, 'SharedWebhook', { env: { account: '123456789012', region: 'us-east-1' } });
    const events = Object.keys(CHANNEL_EVENTS) as ChannelEvent[];
    new Channels(own, 'Channels', {
      channels: [
        {
          name: 'globex-crm',
          kind: 'webhook',
          secretName: 'cosell-flow-acme/globex-crm',
          partner: 'Globex',
          events,
        },
      ],
      tenantBus: new TenantEventBus(own, 'RegistrationEvents', { eventBusName: 'cosell-flow-acme' }),
    });
    const rules = Object.values(
      Template.fromStack(own).toJSON().Resources as Record<string, Resource>,
    ).filter((r) => r.Type === 'AWS::Events::Rule');
    expect(rules).toHaveLength(events.length);
    for (const rule of rules) {
      const { InputPathsMap, InputTemplate } = rule.Properties.Targets[0].InputTransformer;
      expect(Object.values(InputPathsMap)).not.toContain('$.detail');
      expect(JSON.stringify(InputPathsMap)).not.toMatch(/vendorRoom|\$\.detail\.links"|economicSplit/);
      expect(InputPathsMap.partnerRoom).toBe('$.detail.links.partnerRoom');
      expect(InputTemplate).toContain('"links": {"partnerRoom": <partnerRoom>}');
    }
  });

  it('lets each destination be invoked only by its rules’ role', () => {
    const policies = ofType('AWS::IAM::Policy').filter((p) =>
      JSON.stringify(p.Properties).includes('events:InvokeApiDestination'),
    );
    expect(policies.length).toBeGreaterThan(0);
    for (const p of policies) {
      for (const s of p.Properties.PolicyDocument.Statement) {
        expect(s.Action).toBe('events:InvokeApiDestination');
        expect(JSON.stringify(s.Resource)).toContain('Destination');
      }
    }
  });
});

describe('AceSync', () => {
  it('grants only the four Partner Central actions it calls, held to the Sandbox catalog', () => {
    const statements = ofType('AWS::IAM::Policy')
      .filter((p) =>
        (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === logicalIdOf(aceSync.function.role)),
      )
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string[]; Condition?: unknown }[]);
    const partnerCentral = statements.filter((s) => JSON.stringify(s.Action).includes('partnercentral:'));
    expect(partnerCentral).toEqual([
      {
        Effect: 'Allow',
        Action: [...ACE_SYNC_ACTIONS],
        Resource: '*',
        Condition: { StringEquals: { 'partnercentral:Catalog': 'Sandbox' } },
      },
    ]);
  });

  it("may email the vendor owner ACE's review: send as the tenant's sender, read the link keys, nothing more", () => {
    const statements = ofType('AWS::IAM::Policy')
      .filter((p) =>
        (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === logicalIdOf(aceSync.function.role)),
      )
      .flatMap(
        (p) =>
          p.Properties.PolicyDocument.Statement as {
            Action: string | string[];
            Resource: unknown;
            Condition?: unknown;
          }[],
      );
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a.startsWith('ses:'))).toEqual(['ses:SendEmail']);
    const send = statements.find((s) => [s.Action].flat().includes('ses:SendEmail'));
    expect(send?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'deals@links.acme.example' } });
    const secrets = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
    expect(secrets).toHaveLength(1);
    expect(secrets[0]?.Resource).toEqual({ Ref: logicalIdOf(signingKeys.secret) });
    // Nothing beyond what it uses: Partner Central, mail, the link keys, the DLQ (and CDK's own X-Ray / logs).
    const services = new Set(actions.map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(
      expect.arrayContaining(['partnercentral', 'secretsmanager', 'ses', 'sqs']),
    );
    expect(
      [...services].filter(
        (x) => !['partnercentral', 'secretsmanager', 'ses', 'sqs', 'xray', 'logs', 'kms'].includes(x ?? ''),
      ),
    ).toEqual([]);
  });

  it('follows the deal moments on the tenant bus and ACE reviews on the default bus, into the DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalIdOf(bus.eventBus) },
      EventPattern: {
        source: ['cosell.flow'],
        'detail-type': [
          'CoSell Plan Started',
          'CoSell Stage Advanced',
          'CoSell Deal Registered',
          'CoSell Deal Closed Lost',
        ],
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.absent(),
      EventPattern: {
        source: ['aws.partnercentral-selling'],
        'detail-type': ['Opportunity Updated'],
        detail: { catalog: ['Sandbox'] },
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [logicalIdOf(bus.deadLetterQueue), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ACE_CATALOG: 'Sandbox',
          ACE_SOLUTION_ID: 'S-0000001',
          ACE_ONLY_PAPER: 'marketplace',
        }),
      },
    });
  });
});
