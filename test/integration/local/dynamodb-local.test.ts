import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { OPEN_BY_DUE_INDEX, TABLE_DEFINITIONS, tableName } from '../../../lib/table-definitions';
import { applyEnv, localAwsEnv } from '../../../local/aws-env';
import {
  type DynamoDbLocal,
  ensureTables,
  localDynamoDbClient,
  MissingJavaError,
  startDynamoDbLocal,
} from '../../../local/dynamodb-local';

const nameFor = (key: keyof typeof TABLE_DEFINITIONS) => tableName('it', key);

/** Pids of DynamoDB Local processes started with this port (others may run one at the same time). */
function dynamoDbLocalPids(port: number): Promise<string[]> {
  return new Promise((resolvePids) => {
    execFile('pgrep', ['-f', `DynamoDBLocal.*-port ${port}( |$)`], (_error, stdout) => {
      resolvePids(stdout.split('\n').filter(Boolean));
    });
  });
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('DynamoDB Local', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosell-ddb-'));
  let db: DynamoDbLocal | undefined;

  afterEach(async () => {
    await db?.stop();
    db = undefined;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates every table with its indexes and TTL, and leaves existing tables alone', async () => {
    // Prepare
    db = await startDynamoDbLocal({ inMemory: true });
    console.info(`DynamoDB Local (in memory) answered after ${db.startupMs} ms`);
    const client = localDynamoDbClient(db.endpoint);

    // Act
    const first = await ensureTables(client, TABLE_DEFINITIONS, nameFor);
    const second = await ensureTables(client, TABLE_DEFINITIONS, nameFor);

    // Assess
    expect(first.created).toEqual(
      ['it-plans', 'it-milestones', 'it-links', 'it-idempotency', 'it-partner-plans'].map(
        (n) => `cosell-flow-${n}`,
      ),
    );
    expect(second).toEqual({ created: [], existing: first.created });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: nameFor('milestones') }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'planId', KeyType: 'HASH' },
      { AttributeName: 'milestoneId', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({
        IndexName: OPEN_BY_DUE_INDEX,
        KeySchema: [
          { AttributeName: 'openShard', KeyType: 'HASH' },
          { AttributeName: 'nudgeAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      }),
    ]);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: nameFor('links') }));
    expect(ttl.TimeToLiveDescription).toEqual({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
    client.destroy();
  });

  it('adds an index a newer version defines to a table an older version created', async () => {
    // Prepare: the milestones table as an older version made it, without its index
    db = await startDynamoDbLocal({ inMemory: true });
    const client = localDynamoDbClient(db.endpoint);
    const older = {
      ...TABLE_DEFINITIONS,
      milestones: { ...TABLE_DEFINITIONS.milestones, globalSecondaryIndexes: [] },
    };
    await ensureTables(client, older, nameFor);

    // Act
    await ensureTables(client, TABLE_DEFINITIONS, nameFor);

    // Assess
    const { Table } = await client.send(new DescribeTableCommand({ TableName: nameFor('milestones') }));
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual([OPEN_BY_DUE_INDEX]);
    client.destroy();
  });

  it('is what a default DynamoDBClient reaches once localAwsEnv is applied', async () => {
    // Prepare
    db = await startDynamoDbLocal({ inMemory: true });
    const restoreEnv = applyEnv(
      localAwsEnv({ dynamodb: db.endpoint, ses: 'http://127.0.0.1:1', emulator: 'http://127.0.0.1:1' }),
    );
    onTestFinished(restoreEnv);
    await ensureTables(localDynamoDbClient(db.endpoint), TABLE_DEFINITIONS, nameFor);
    const client = new DynamoDBClient({});

    // Act
    const { TableNames } = await client.send(new ListTablesCommand({}));

    // Assess
    expect(TableNames).toContain(nameFor('plans'));
    client.destroy();
  });

  it('keeps data on disk across a stop and start, and leaves no java process behind', async () => {
    // Prepare
    const dbPath = join(dir, 'dynamodb');
    db = await startDynamoDbLocal({ dbPath });
    console.info(`DynamoDB Local (on disk, first start) answered after ${db.startupMs} ms`);
    let client = localDynamoDbClient(db.endpoint);
    await ensureTables(client, TABLE_DEFINITIONS, nameFor);
    await client.send(
      new PutItemCommand({
        TableName: nameFor('plans'),
        Item: { planId: { S: 'p-1' }, status: { S: 'active' } },
      }),
    );
    client.destroy();
    const { port, pid } = db;
    expect(await dynamoDbLocalPids(port)).not.toEqual([]);

    // Act
    await db.stop();
    const pidsAfterStop = await dynamoDbLocalPids(port);
    db = await startDynamoDbLocal({ dbPath });
    client = localDynamoDbClient(db.endpoint);

    // Assess
    expect(pidsAfterStop).toEqual([]);
    expect(() => process.kill(-pid, 0)).toThrow(); // the whole process group is gone
    expect(existsSync(join(dbPath, 'shared-local-instance.db'))).toBe(true);
    const { Item } = await client.send(
      new GetItemCommand({ TableName: nameFor('plans'), Key: { planId: { S: 'p-1' } } }),
    );
    expect(Item?.status).toEqual({ S: 'active' });
    expect((await ensureTables(client, TABLE_DEFINITIONS, nameFor)).created).toEqual([]);
    client.destroy();
  });

  it('throws MissingJavaError naming what to install when java is not on PATH', async () => {
    // Act
    const error = await startDynamoDbLocal({ inMemory: true, env: { PATH: join(dir, 'empty') } }).catch(
      (e) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(MissingJavaError);
    expect(error.message).toMatch(
      /^Java 17\+ is required for DynamoDB Local \(`java -version` failed: no Java found\): /,
    );
    expect(error.message).toMatch(/openjdk-17|openjdk@17/);
  });

  it('throws MissingJavaError when java is older than 17', async () => {
    // Prepare
    const oldJava = join(dir, 'java8');
    writeFileSync(oldJava, '#!/bin/sh\necho \'java version "1.8.0_402"\' >&2\n');
    chmodSync(oldJava, 0o755);

    // Act
    const error = await startDynamoDbLocal({ inMemory: true, javaCommand: oldJava }).catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(MissingJavaError);
    expect(error.foundMajor).toBe(8);
    expect(error.message).toContain('(found Java 8)');
  });

  describe('when the owning process dies', () => {
    const script = join(dir, 'owner.mts');

    beforeAll(() => {
      writeFileSync(
        script,
        `import { startDynamoDbLocal } from ${JSON.stringify(resolve('local/dynamodb-local.ts'))};
const db = await startDynamoDbLocal({ inMemory: true });
console.log(JSON.stringify({ port: db.port }));
setInterval(() => {}, 1000);
`,
      );
    });

    it.each(['SIGINT', 'SIGTERM', 'SIGKILL'] as const)('on %s, no java process is left', async (signal) => {
      // Prepare
      // node itself (not the tsx CLI, which is a wrapper process that SIGKILL would leave behind)
      const owner = spawn(process.execPath, ['--import', 'tsx', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      onTestFinished(() => {
        owner.kill('SIGKILL');
      });
      const port = await new Promise<number>((resolvePort, reject) => {
        owner.stdout.once('data', (chunk: Buffer) => resolvePort(JSON.parse(chunk.toString()).port));
        owner.once('exit', (code) => reject(new Error(`owner exited early (${code})`)));
      });
      expect(await dynamoDbLocalPids(port)).not.toEqual([]);

      // Act
      owner.kill(signal);

      // Assess
      expect(await eventually(async () => (await dynamoDbLocalPids(port)).length === 0)).toBe(true);
    });
  });
});
