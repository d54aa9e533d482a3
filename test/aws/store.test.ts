// DynamoSnapshotStore and DynamoAlertStateStore against moto over the DynamoDB wire protocol.
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoAlertStateStore } from '../../functions/adapters/dynamodb/alert-state-store.js';
import { DynamoSnapshotStore, PARTITIONS_PER_ITEM } from '../../functions/adapters/dynamodb/snapshot-store.js';
import { keys, snapshotRetentionMs, TABLE } from '../../functions/adapters/dynamodb/table.js';
import type { AlertState } from '../../functions/core/alert.js';
import type { GroupSnapshot } from '../../functions/core/types.js';
import { clusterSnapshot, MINUTE, RecordingLogger } from '../unit/app-fakes.js';
import { awsClients, freshTable } from './aws-clients.js';

const clients = awsClients(inject('motoEndpoint'));
let tableName = '';
const T0 = 1_750_000_000_000 - (1_750_000_000_000 % MINUTE);

beforeAll(async () => {
  tableName = await freshTable(clients.dynamodb);
});
afterAll(() => {
  clients.dynamodb.destroy();
});

function store(logger = new RecordingLogger()) {
  return new DynamoSnapshotStore(clients.doc, { tableName, retentionMs: snapshotRetentionMs(10, MINUTE), logger });
}

function group(cluster: string, name: string, timestamp: number, committed: bigint, topics = ['orders', 'payments']): GroupSnapshot {
  return {
    cluster,
    group: name,
    timestamp,
    state: 'Stable',
    members: 3,
    partitions: topics.flatMap((topic) =>
      [0, 1, 2].map((partition) => ({
        topic,
        partition,
        committedOffset: partition === 2 ? null : committed + BigInt(partition),
        // Above 2^53: offsets must survive as decimal strings.
        logEndOffset: 9_007_199_254_740_993n + committed,
        ...(partition === 1 ? { committedRecordTimestamp: timestamp - 5000 } : {}),
      })),
    ),
  };
}

describe('DynamoSnapshotStore', () => {
  it('round-trips a run: every group snapshot, bigint offsets, nulls, record timestamps, and the run record', async () => {
    const s = store();
    const g = group('c-round', 'billing', T0, 100n);
    await s.putSnapshot({ ...clusterSnapshot('c-round', T0, [g], ['broken']) });
    expect(await s.latestRun('c-round')).toEqual({ cluster: 'c-round', timestamp: T0, listedGroups: ['billing', 'broken'], failedGroups: ['broken'] });
    const window = await s.readWindow('c-round', 'billing', { limit: 10, now: T0, notBefore: T0 - 12 * MINUTE });
    expect(window).toEqual([g]);
  });

  it('stores one item per (group, topic, time) with a TTL of window span + margin', async () => {
    const s = store();
    await s.putSnapshot(clusterSnapshot('c-items', T0, [group('c-items', 'billing', T0, 1n)]));
    const items = await clients.doc.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.groupPk('c-items', 'billing') } }),
    );
    expect(items.Items?.map((i) => i.sk)).toEqual([keys.snapshotSk(T0, 'orders', 0), keys.snapshotSk(T0, 'payments', 0)]);
    expect(items.Items?.[0]?.[TABLE.timeToLiveAttribute]).toBe(Math.floor((T0 + snapshotRetentionMs(10, MINUTE)) / 1000));
  });

  it('a retried run overwrites itself: same items, new values, no duplicates', async () => {
    const s = store();
    await s.putSnapshot(clusterSnapshot('c-retry', T0, [group('c-retry', 'billing', T0, 100n)]));
    const retried = group('c-retry', 'billing', T0, 200n);
    await s.putSnapshot(clusterSnapshot('c-retry', T0, [retried]));
    const window = await s.readWindow('c-retry', 'billing', { limit: 10, now: T0, notBefore: 0 });
    expect(window).toEqual([retried]);
    const items = await clients.doc.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.groupPk('c-retry', 'billing') } }),
    );
    expect(items.Count).toBe(2);
  });

  it('returns the newest N snapshots oldest first, ignoring anything newer than now or older than notBefore', async () => {
    const s = store();
    for (let i = 0; i < 15; i++) {
      const t = T0 + i * MINUTE;
      await s.putSnapshot(clusterSnapshot('c-window', t, [group('c-window', 'billing', t, BigInt(i))]));
    }
    const now = T0 + 13 * MINUTE;
    const window = await s.readWindow('c-window', 'billing', { limit: 10, now, notBefore: T0 });
    expect(window.map((w) => (w.timestamp - T0) / MINUTE)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const bounded = await s.readWindow('c-window', 'billing', { limit: 10, now, notBefore: T0 + 9 * MINUTE });
    expect(bounded.map((w) => (w.timestamp - T0) / MINUTE)).toEqual([9, 10, 11, 12, 13]);
    expect((await s.latestRun('c-window'))?.timestamp).toBe(T0 + 14 * MINUTE);
  });

  it('splits a topic with more partitions than fit one item and reads it back whole', async () => {
    const s = store();
    const partitions = Array.from({ length: PARTITIONS_PER_ITEM + 200 }, (_, partition) => ({
      topic: 'wide',
      partition,
      committedOffset: BigInt(partition),
      logEndOffset: BigInt(partition + 10),
    }));
    const wide: GroupSnapshot = { cluster: 'c-wide', group: 'g', timestamp: T0, state: 'Empty', members: null, partitions };
    await s.putSnapshot(clusterSnapshot('c-wide', T0, [wide]));
    expect(await s.readWindow('c-wide', 'g', { limit: 1, now: T0, notBefore: 0 })).toEqual([wide]);
  });

  it('skips a hand-edited unreadable item with a warning naming its key, and reads the rest', async () => {
    const logger = new RecordingLogger();
    const s = store(logger);
    for (let i = 0; i < 3; i++) {
      const t = T0 + i * MINUTE;
      await s.putSnapshot(clusterSnapshot('c-bad', t, [group('c-bad', 'billing', t, BigInt(i), ['orders'])]));
    }
    const badSk = keys.snapshotSk(T0 + MINUTE, 'orders', 0);
    await clients.doc.send(
      new PutCommand({ TableName: tableName, Item: { pk: keys.groupPk('c-bad', 'billing'), sk: badSk, v: 1, state: 'Stable', p: '0:12x:15' } }),
    );
    const window = await s.readWindow('c-bad', 'billing', { limit: 10, now: T0 + 2 * MINUTE, notBefore: 0 });
    expect(window.map((w) => w.timestamp)).toEqual([T0, T0 + 2 * MINUTE]);
    const warning = logger.at('warn')[0];
    expect(warning?.message).toBe('skipping unreadable snapshot item');
    expect(warning?.fields).toMatchObject({ pk: keys.groupPk('c-bad', 'billing'), sk: badSk });
    expect(String(warning?.fields?.reason)).toContain('12x');
  });

  it('has no run until the run record is written (partial writes are invisible as a run)', async () => {
    const s = store();
    expect(await s.latestRun('c-none')).toBeNull();
  });
});

describe('DynamoAlertStateStore', () => {
  const state: AlertState = {
    cluster: 'c-alert',
    group: 'billing',
    status: 'ERROR',
    incidentId: 'c-alert/billing/1',
    team: 'payments',
    since: 1,
    lastNotified: 1,
    version: 1,
  };

  it('creates only when absent, updates only from the expected version, removes only at that version', async () => {
    const alerts = new DynamoAlertStateStore(clients.doc, { tableName, logger: new RecordingLogger() });
    expect(await alerts.put(state, null)).toBe(true);
    expect(await alerts.put(state, null)).toBe(false);
    const next = { ...state, lastNotified: 2, version: 2 };
    const [a, b] = await Promise.all([alerts.put(next, 1), alerts.put({ ...next, team: 'other' }, 1)]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await alerts.list('c-alert')).toHaveLength(1);
    expect(await alerts.remove('c-alert', 'billing', 1)).toBe(false);
    expect(await alerts.remove('c-alert', 'billing', 2)).toBe(true);
    expect(await alerts.list('c-alert')).toEqual([]);
    const gone = await clients.doc.send(new GetCommand({ TableName: tableName, Key: { pk: keys.alertPk('c-alert'), sk: 'billing' } }));
    expect(gone.Item).toBeUndefined();
  });
});
