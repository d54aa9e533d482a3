// BatchWriteItem takes at most 25 items and may hand some back as UnprocessedItems (throttling,
// partition limits). Every item is sent until accepted, with exponential backoff and full jitter.
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../../app/pool.js';
import { StoreError } from '../../core/errors.js';

export const BATCH_SIZE = 25;

export interface BatchWriteOptions {
  /** Attempts per batch before giving up (the SDK also retries throttled calls itself). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Batches in flight at once. */
  concurrency?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

type PutRequest = { PutRequest: { Item: Record<string, unknown> } };

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Full-jitter exponential backoff: uniform in [0, min(max, base × 2^attempt)]. */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt));
}

export async function batchPutAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
  options: BatchWriteOptions = {},
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelayMs = options.baseDelayMs ?? 50;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const batches: PutRequest[][] = [];
  for (let i = 0; i < items.length; i += BATCH_SIZE) {
    batches.push(items.slice(i, i + BATCH_SIZE).map((Item) => ({ PutRequest: { Item } })));
  }

  const writeBatch = async (batch: PutRequest[]): Promise<void> => {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= maxAttempts) {
        throw new StoreError(
          `DynamoDB table ${tableName}: ${pending.length} item(s) still unprocessed after ${maxAttempts} BatchWriteItem attempts; ` +
            'the table is throttled — check its on-demand limits and the ThrottledRequests metric, the run will be retried',
          { context: { table: tableName, unprocessed: pending.length } },
        );
      }
      if (attempt > 0) await sleep(backoffDelay(attempt, baseDelayMs, maxDelayMs, random));
      const response = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (response.UnprocessedItems?.[tableName] ?? []) as PutRequest[];
    }
  };

  await mapLimit(batches, options.concurrency ?? 4, writeBatch);
}
