// Throttling and service errors injected by a proxy in front of moto: retried, counted, nothing lost.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoSnapshotStore } from '../../functions/adapters/dynamodb/snapshot-store.js';
import { snapshotRetentionMs } from '../../functions/adapters/dynamodb/table.js';
import { StoreError } from '../../functions/core/errors.js';
import { clusterSnapshot, MINUTE, RecordingLogger, stuckGroup } from '../unit/app-fakes.js';
import { meteredDocumentClient } from '../support/aws-meters.js';
import { awsClients, freshTable } from './aws-clients.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

const endpoint = inject('motoEndpoint');
const direct = awsClients(endpoint);
let proxy: FaultProxy;
let tableName = '';
const T0 = 1_770_000_000_000 - (1_770_000_000_000 % MINUTE);

beforeAll(async () => {
  tableName = await freshTable(direct.dynamodb);
  proxy = await startFaultProxy(endpoint);
});
afterAll(async () => {
  await proxy.close();
});

function storeVia(url: string, maxAttempts?: number, maxChunkBytes?: number, doc = awsClients(url, maxAttempts === undefined ? {} : { maxAttempts }).doc) {
  return new DynamoSnapshotStore(doc, {
    tableName,
    retentionMs: snapshotRetentionMs(10, MINUTE),
    logger: new RecordingLogger(),
    batch: { baseDelayMs: 1, maxDelayMs: 5 },
    ...(maxChunkBytes === undefined ? {} : { maxChunkBytes }),
  });
}

const groups = (cluster: string, t: number, n: number) => Array.from({ length: n }, (_, i) => stuckGroup(cluster, `g-${i}`, t));

describe('DynamoDB faults', () => {
  it('throttled and 500 BatchWriteItem calls are retried by the SDK; every item lands', async () => {
    proxy.rules.push({ operation: 'BatchWriteItem', fault: 'throttle', remaining: 2 }, { operation: 'PutItem', fault: 'server-error', remaining: 1 });
    const store = storeVia(proxy.endpoint);
    await store.putSnapshot(clusterSnapshot('faulty', T0, groups('faulty', T0, 60)));
    expect(proxy.injected.get('DynamoDB_20120810.BatchWriteItem')).toBe(2);
    expect(proxy.injected.get('DynamoDB_20120810.PutItem')).toBe(1);
    const reader = storeVia(endpoint);
    expect((await reader.latestRun('faulty'))?.listedGroups).toHaveLength(60);
    const windows = await reader.readWindows('faulty', { limit: 1, now: T0, notBefore: 0 });
    expect([...windows.keys()].sort()).toEqual(Array.from({ length: 60 }, (_, i) => `g-${i}`).sort());
  });

  it('UnprocessedItems are sent again with backoff and counted', async () => {
    proxy.rules.push({ operation: 'BatchWriteItem', fault: 'unprocessed', remaining: 3 });
    // Chunks small enough that each of the 50 groups is its own item: two batches of 25.
    const table = meteredDocumentClient(awsClients(proxy.endpoint).doc);
    const store = storeVia(proxy.endpoint, undefined, 111, table.client);
    const snapshot = clusterSnapshot('unprocessed', T0, groups('unprocessed', T0, 50));
    expect(store.chunkItems(snapshot)).toHaveLength(50);
    await store.putSnapshot(snapshot);
    // Three answers handed back every item of their batch.
    expect(table.usage.unprocessedRetries).toBe(75);
    const reader = storeVia(endpoint);
    const windows = await reader.readWindows('unprocessed', { limit: 1, now: T0, notBefore: 0 });
    for (let i = 0; i < 50; i++) expect(windows.get(`g-${i}`)).toHaveLength(1);
  });

  it('a table that never accepts the items fails the run with a StoreError and writes no run record', async () => {
    proxy.rules.push({ operation: 'BatchWriteItem', fault: 'unprocessed', remaining: 100 });
    const store = storeVia(proxy.endpoint);
    const error = await store.putSnapshot(clusterSnapshot('stuck', T0, groups('stuck', T0, 3))).catch((e: unknown) => e);
    proxy.rules.length = 0;
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(new RegExp(`${tableName}.*unprocessed`));
    expect(await storeVia(endpoint).latestRun('stuck')).toBeNull();
  });

  it('an endpoint that refuses connections gives a StoreError naming the table', async () => {
    const store = storeVia('http://127.0.0.1:9', 1);
    const error = await store.latestRun('any').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(tableName);
  });
});
