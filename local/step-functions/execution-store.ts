import {
  CreateTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  ResourceInUseException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { Json } from './asl-from-template';

/**
 * Where the local state machine keeps its executions, so that a restart of the local stack finds them as
 * AWS would: running ones continue where they waited (the same task token, the same deadline), failed ones
 * stay failed until redriven, and an execution name stays taken.
 */

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface StoredExecution {
  readonly name: string;
  readonly arn: string;
  readonly input: Json;
  readonly status: ExecutionStatus;
  /** ISO instants on the local clock. */
  readonly startDate: string;
  readonly stopDate?: string;
  readonly output?: Json;
  readonly error?: string;
  readonly cause?: string;
  /** The Task state it runs or waits in (or failed in), and that state's input: where it resumes or is redriven. */
  readonly state?: string;
  readonly stateInput?: Json;
  /** A `.waitForTaskToken` task whose handler has returned: a restart waits again with this token and deadline. */
  readonly waiting?: { readonly token: string; readonly deadline?: number };
  /** A callback accepted for the task in `state` before the next state began: a restart takes it as the result. */
  readonly callback?: { readonly output?: Json; readonly error?: string; readonly cause?: string };
  readonly redriveCount: number;
  readonly redriveDate?: string;
}

export interface ExecutionStore {
  load(): Promise<StoredExecution[]>;
  save(execution: StoredExecution): Promise<void>;
}

/** Keeps executions for the machine's lifetime only (tests, and a machine nobody restarts). */
export class MemoryExecutionStore implements ExecutionStore {
  private readonly executions = new Map<string, StoredExecution>();

  async load(): Promise<StoredExecution[]> {
    return [...this.executions.values()].map((e) => structuredClone(e));
  }

  async save(execution: StoredExecution): Promise<void> {
    this.executions.set(execution.name, structuredClone(execution));
  }
}

/**
 * One item per execution in its own DynamoDB Local table (`{name, record}`, the record as JSON), written
 * straight to DynamoDB Local: the faults injected into the functions' DynamoDB calls never reach it, as the
 * Step Functions service does not share a tenant's table throughput.
 */
export class DynamoExecutionStore implements ExecutionStore {
  constructor(
    private readonly ddb: DynamoDBClient,
    readonly tableName: string,
  ) {}

  /** Creates the table if absent; true when it was created (a state directory from before it existed). */
  async ensureTable(): Promise<boolean> {
    try {
      await this.ddb.send(
        new CreateTableCommand({
          TableName: this.tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'name', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'name', KeyType: 'HASH' }],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ResourceInUseException) return false;
      throw error;
    }
  }

  async load(): Promise<StoredExecution[]> {
    const found: StoredExecution[] = [];
    let start: Record<string, { S: string }> | undefined;
    do {
      const page = await this.ddb.send(
        new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        const record = item.record?.S;
        if (record) found.push(JSON.parse(record) as StoredExecution);
      }
      start = page.LastEvaluatedKey as typeof start;
    } while (start);
    return found.sort((a, b) => a.startDate.localeCompare(b.startDate) || a.name.localeCompare(b.name));
  }

  async save(execution: StoredExecution): Promise<void> {
    await this.ddb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { name: { S: execution.name }, record: { S: JSON.stringify(execution) } },
      }),
    );
  }
}

/**
 * Saves one execution's records in the order they were made, each after the last: a later state never
 * overtakes an earlier one in the store. `flush` resolves when everything asked so far is written.
 */
export class OrderedSaves {
  private chains = new Map<string, Promise<void>>();

  constructor(
    private readonly store: ExecutionStore,
    private readonly onError: (error: unknown, execution: StoredExecution) => void,
  ) {}

  save(execution: StoredExecution): Promise<void> {
    const previous = this.chains.get(execution.name) ?? Promise.resolve();
    const next = previous.then(() =>
      this.store.save(execution).catch((error: unknown) => this.onError(error, execution)),
    );
    this.chains.set(execution.name, next);
    return next;
  }

  async flush(): Promise<void> {
    await Promise.all(this.chains.values());
  }
}
