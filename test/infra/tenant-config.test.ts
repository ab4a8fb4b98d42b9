import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/constructs/cosell-function';
import { CosellFlowStack } from '../../lib/cosell-flow-stack';
import {
  functionEnvironment,
  loadLocalTenantSettings,
  loadTenantConfig,
  TenantConfigError,
} from '../../lib/tenant-config';

const fromContext = (tenant: unknown, context: Record<string, unknown>, rootDir = REPO_ROOT) =>
  loadTenantConfig({ tenant, context: (key) => context[key], rootDir });

const VALID_CONTEXT = {
  senderAddress: 'deals@beta.example',
  publicBaseUrl: 'https://links.beta.example/',
  defaultTimezone: 'Europe/Berlin',
};

function rootWithTenantFile(name: string, content: string): string {
  const root = mkdtempSync(join(tmpdir(), 'cosell-tenants-'));
  mkdirSync(join(root, 'tenants'));
  writeFileSync(join(root, 'tenants', `${name}.json`), content);
  return root;
}

describe('loadTenantConfig', () => {
  it('reads tenants/acme.json, with the documented defaults', () => {
    const config = fromContext('acme', {});
    expect(config).toMatchObject({
      tenant: 'acme',
      source: 'tenants/acme.json',
      senderAddress: 'deals@acme.example',
      publicBaseUrl: 'https://deals.acme.example',
      linkTtlDays: 14,
      reminderSweepMinutes: 15,
    });
  });

  it('falls back to context when there is no tenant file, coercing numbers and trimming the URL', () => {
    const config = fromContext('beta', { ...VALID_CONTEXT, linkTtlDays: '7', region: 'eu-central-1' });
    expect(config).toMatchObject({
      tenant: 'beta',
      source: 'CDK context',
      publicBaseUrl: 'https://links.beta.example',
      linkTtlDays: 7,
      reminderSweepMinutes: 15,
      env: { region: 'eu-central-1' },
    });
  });

  it('prefers the tenant file over context', () => {
    const root = rootWithTenantFile(
      'gamma',
      JSON.stringify({
        ...VALID_CONTEXT,
        senderAddress: 'file@gamma.example',
        env: { account: '123456789012' },
      }),
    );
    const config = fromContext('gamma', { senderAddress: 'context@gamma.example' }, root);
    expect(config.senderAddress).toBe('file@gamma.example');
    expect(config.env).toEqual({ account: '123456789012' });
  });

  it('reads a tenant file that explains its settings in whole-line comments', () => {
    const root = rootWithTenantFile(
      'delta',
      [
        '{',
        '  // From address of every email.',
        '  "senderAddress": "deals@delta.example",',
        '  // Where people reach the link pages: https://example.com/path is not a comment.',
        '  "publicBaseUrl": "https://links.delta.example",',
        '  "defaultTimezone": "Europe/Berlin"',
        '}',
      ].join('\n'),
    );
    const config = fromContext('delta', {}, root);
    expect(config).toMatchObject({
      senderAddress: 'deals@delta.example',
      publicBaseUrl: 'https://links.delta.example',
    });
  });

  it.each([
    [undefined, /Missing tenant: pass -c tenant=<name>/],
    ['', /Missing tenant/],
    ['Acme', /Invalid tenant name 'Acme'/],
    ['a', /Invalid tenant name/],
    ['9lives', /Invalid tenant name/],
    [`t${'x'.repeat(31)}`, /Invalid tenant name/],
  ])('rejects tenant %j', (tenant, message) => {
    expect(() => fromContext(tenant, VALID_CONTEXT)).toThrow(message);
  });

  it('names every missing setting, and how to provide it', () => {
    const error = (() => {
      try {
        fromContext('beta', {});
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(TenantConfigError);
    expect(error?.message).toContain("Invalid settings for tenant 'beta' (from CDK context)");
    expect(error?.message).toContain('senderAddress is required');
    expect(error?.message).toContain('publicBaseUrl is required');
    expect(error?.message).toContain('defaultTimezone is required');
    expect(error?.message).toContain('Create tenants/beta.json, or pass the settings as context');
  });

  it.each([
    [{ senderAddress: 'not-an-email' }, 'senderAddress must be an email address'],
    [{ publicBaseUrl: 'http://links.beta.example' }, 'publicBaseUrl must be an https:// URL'],
    [{ publicBaseUrl: 'https://links.beta.example/?x=1' }, 'without query or fragment'],
    [{ defaultTimezone: 'Mars/Olympus' }, 'defaultTimezone must be an IANA time zone'],
    [{ linkTtlDays: '1.5' }, 'linkTtlDays must be a whole number'],
    [{ linkTtlDays: '0' }, 'linkTtlDays must be at least 1'],
    [{ reminderSweepMinutes: 'often' }, 'reminderSweepMinutes must be a whole number from 1 to 1440'],
    [{ account: '12' }, 'env.account must be a 12-digit AWS account id'],
  ])('rejects %j', (override, message) => {
    expect(() => fromContext('beta', { ...VALID_CONTEXT, ...override })).toThrow(message);
  });

  it('accepts plain http on localhost (the local runtime)', () => {
    expect(
      fromContext('beta', { ...VALID_CONTEXT, publicBaseUrl: 'http://localhost:4000' }).publicBaseUrl,
    ).toBe('http://localhost:4000');
  });

  it('rejects unknown settings and broken JSON in a tenant file', () => {
    const typo = rootWithTenantFile('delta', JSON.stringify({ ...VALID_CONTEXT, senderAdress: 'x@y.z' }));
    expect(() => fromContext('delta', {}, typo)).toThrow(/unknown setting\(s\) 'senderAdress'/);
    const broken = rootWithTenantFile('delta', '{ "senderAddress": ');
    expect(() => fromContext('delta', {}, broken)).toThrow(/tenants\/delta.json is not valid JSON/);
  });
});

describe('the program view settings', () => {
  it('default the stage weights to 10/20/40/60/80 and read a program cost, from context or a file', () => {
    expect(fromContext('beta', VALID_CONTEXT).stageWeights).toEqual([10, 20, 40, 60, 80]);
    const config = fromContext('beta', {
      ...VALID_CONTEXT,
      stageWeights: '5,15,35,65,90',
      programCost: '{"amount": 150000, "currency": "USD"}',
    });
    expect(config.stageWeights).toEqual([5, 15, 35, 65, 90]);
    expect(config.programCost).toEqual({ amount: 150_000, currency: 'USD' });
    expect(() => fromContext('beta', { ...VALID_CONTEXT, stageWeights: '10,20' })).toThrow(
      'stageWeights must list five percentages, stage 1 first',
    );
    expect(() =>
      fromContext('beta', { ...VALID_CONTEXT, programCost: '{"amount": 1, "currency": "usd"}' }),
    ).toThrow('programCost.currency must be an ISO 4217 code');
    const env = functionEnvironment(config, {
      tables: {
        PLANS_TABLE: 'p',
        MILESTONES_TABLE: 'm',
        LINKS_TABLE: 'l',
        IDEMPOTENCY_TABLE: 'i',
        PARTNER_PLANS_TABLE: 'pp',
      },
      sesConfigurationSet: 'cs',
      eventBusName: 'bus',
      linkKeysSecretArn: 'arn:secret',
    });
    expect([env.STAGE_WEIGHTS, env.PROGRAM_COST]).toEqual(['5,15,35,65,90', '150000 USD']);
  });
});

describe('functionEnvironment', () => {
  it('has exactly the names of docs/design.md', () => {
    const env = functionEnvironment(fromContext('acme', {}), {
      tables: {
        PLANS_TABLE: 'p',
        MILESTONES_TABLE: 'm',
        LINKS_TABLE: 'l',
        IDEMPOTENCY_TABLE: 'i',
        PARTNER_PLANS_TABLE: 'pp',
      },
      sesConfigurationSet: 'cs',
      eventBusName: 'bus',
      linkKeysSecretArn: 'arn:secret',
    });
    expect(env).toEqual({
      TENANT: 'acme',
      PLANS_TABLE: 'p',
      MILESTONES_TABLE: 'm',
      LINKS_TABLE: 'l',
      IDEMPOTENCY_TABLE: 'i',
      PARTNER_PLANS_TABLE: 'pp',
      SENDER_ADDRESS: 'deals@acme.example',
      SES_CONFIGURATION_SET: 'cs',
      PUBLIC_BASE_URL: 'https://deals.acme.example',
      DEFAULT_TIMEZONE: 'America/New_York',
      EVENT_BUS_NAME: 'bus',
      LINK_KEYS_SECRET_ARN: 'arn:secret',
      LINK_TTL_DAYS: '14',
      GHOSTING_DAYS: '7',
      WORKWEEK: 'MON,TUE,WED,THU,FRI',
      HOLIDAYS: '',
      ESCALATION_GRACE_BUSINESS_DAYS: '1',
      ROOM_LINK_TTL_DAYS: '90',
      VENDOR_NAME: 'Cosell Flow',
      STAGE_WEIGHTS: '10,20,40,60,80',
      POWERTOOLS_SERVICE_NAME: 'cosell-flow',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });
});

describe('a tenant configured only by context', () => {
  it('synthesizes its own stack with its own names and sweep interval', () => {
    // Bundling skipped: this test is about names and settings, the bundles are covered by the stack test.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const config = fromContext('beta', { ...VALID_CONTEXT, reminderSweepMinutes: '5' });
    const stack = new CosellFlowStack(app, `CosellFlow-${config.tenant}`, { config });
    const template = Template.fromStack(stack);

    expect(stack.stackName).toBe('CosellFlow-beta');
    template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'cosell-flow-beta-plans' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(5 minutes)' });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'cosell-flow-beta-playbook',
    });
  });
});

describe('working days and grace', () => {
  it('default to Monday to Friday, no holidays, one working day of grace', () => {
    const config = fromContext('beta', VALID_CONTEXT);
    expect(config).toMatchObject({ workweek: ['MON', 'TUE', 'WED', 'THU', 'FRI'], holidays: [] });
    expect(config.escalationGraceBusinessDays).toBe(1);
  });

  it('are read from a tenant file, and from context as lists', () => {
    const root = rootWithTenantFile(
      'beta',
      JSON.stringify({
        ...VALID_CONTEXT,
        workweek: ['SUN', 'MON'],
        holidays: ['2026-12-25'],
        escalationGraceBusinessDays: 2,
      }),
    );
    expect(fromContext('beta', {}, root)).toMatchObject({
      workweek: ['SUN', 'MON'],
      holidays: ['2026-12-25'],
      escalationGraceBusinessDays: 2,
    });
    const context = fromContext('gamma', {
      ...VALID_CONTEXT,
      workweek: 'MON,TUE',
      holidays: '["2027-01-01"]',
    });
    expect(context).toMatchObject({ workweek: ['MON', 'TUE'], holidays: ['2027-01-01'] });
  });

  it('refuses a bad weekday or date, naming the setting', () => {
    const root = rootWithTenantFile(
      'beta',
      JSON.stringify({ ...VALID_CONTEXT, workweek: ['MON', 'FUN'], holidays: ['25/12/2026'] }),
    );
    expect(() => fromContext('beta', {}, root)).toThrow(
      /workweek days must be .*\n.*holidays must be dates/s,
    );
  });
});

describe('loadLocalTenantSettings (npm start)', () => {
  const local = {
    senderAddress: 'cosell-flow@local.example',
    publicBaseUrl: 'http://127.0.0.1:3000',
    defaultTimezone: 'America/Chicago',
  };

  it('uses the built-in defaults when there is no file', () => {
    const root = mkdtempSync(join(tmpdir(), 'cosell-local-'));
    const { settings, source } = loadLocalTenantSettings({ rootDir: root, local });
    expect(source).toBe('built-in defaults');
    expect(settings).toMatchObject({
      ...local,
      ghostingDays: 7,
      workweek: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
    });
  });

  it('reads tenants/local.json when present, and COSELL_TENANT_FILE before it; links stay local', () => {
    const root = rootWithTenantFile('local', JSON.stringify({ holidays: ['2026-12-25'] }));
    const other = join(root, 'other.json');
    writeFileSync(
      other,
      '// a comment\n{ "publicBaseUrl": "https://deals.acme.example", "ghostingDays": 3 }',
    );
    expect(loadLocalTenantSettings({ rootDir: root, local }).settings.holidays).toEqual(['2026-12-25']);
    const chosen = loadLocalTenantSettings({ file: other, rootDir: root, local });
    expect(chosen.source).toBe(other);
    expect(chosen.settings).toMatchObject({
      ghostingDays: 3,
      holidays: [],
      publicBaseUrl: local.publicBaseUrl,
    });
  });

  it('refuses a bad file with the field path', () => {
    const root = rootWithTenantFile(
      'local',
      JSON.stringify({ holidays: ['2026-12-25', 'Christmas'], ghostingDays: 0 }),
    );
    expect(() => loadLocalTenantSettings({ rootDir: root, local })).toThrow(TenantConfigError);
    expect(() => loadLocalTenantSettings({ rootDir: root, local })).toThrow(
      /ghostingDays: ghostingDays must be at least 1\n {2}- holidays\.1: holidays must be dates written YYYY-MM-DD/,
    );
    expect(() => loadLocalTenantSettings({ file: join(root, 'nope.json'), rootDir: root, local })).toThrow(
      /does not exist/,
    );
  });
});
