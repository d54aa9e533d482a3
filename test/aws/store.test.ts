// DynamoSnapshotStore and DynamoAlertStateStore against moto over the DynamoDB wire protocol.
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoAlertStateStore } from '../../functions/adapters/dynamodb/alert-state-store.js';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DynamoSnapshotStore } from '../../functions/adapters/dynamodb/snapshot-store.js';
import { CHUNK_FORMAT } from '../../functions/adapters/dynamodb/snapshot-chunks.js';
import { keys, snapshotRetentionMs, TABLE } from '../../functions/adapters/dynamodb/table.js';
import { ALERT_TOMBSTONE_TTL_MS, type AlertRecord } from '../../functions/app/ports.js';
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

function store(logger = new RecordingLogger(), maxChunkBytes?: number) {
  return new DynamoSnapshotStore(clients.doc, {
    tableName,
    retentionMs: snapshotRetentionMs(10, MINUTE),
    logger,
    ...(maxChunkBytes === undefined ? {} : { maxChunkBytes }),
  });
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

/** The snapshot chunk items of a cluster, as stored. */
async function chunkItems(cluster: string) {
  const items = await clients.doc.send(
    new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.snapshotPk(cluster) } }),
  );
  return items.Items ?? [];
}

const minutes = (windows: Map<string, GroupSnapshot[]>, group: string) => (windows.get(group) ?? []).map((w) => (w.timestamp - T0) / MINUTE);

describe('DynamoSnapshotStore', () => {
  it('round-trips a run: every group snapshot, offsets above 2^53, nulls, record timestamps, and the run record', async () => {
    const s = store();
    const billing = group('c-round', 'billing', T0, 100n);
    const huge: GroupSnapshot = {
      cluster: 'c-round',
      group: 'huge#offsets',
      timestamp: T0,
      state: 'Unknown',
      members: null,
      partitions: [
        { topic: 'big', partition: 0, committedOffset: 18_446_744_073_709_551_615n, logEndOffset: 18_446_744_073_709_551_615n },
        // A recreated topic: log end far below the committed offset.
        { topic: 'big', partition: 1, committedOffset: 9_007_199_254_740_993n, logEndOffset: 5n },
        { topic: 'big', partition: 2, committedOffset: null, logEndOffset: null },
        { topic: 'big', partition: 3, committedOffset: 7n, logEndOffset: null },
      ],
    };
    const empty: GroupSnapshot = { cluster: 'c-round', group: 'no-partitions', timestamp: T0, state: 'Empty', members: 0, partitions: [] };
    await s.putSnapshot(clusterSnapshot('c-round', T0, [billing, huge, empty], ['broken']));
    expect(await s.latestRun('c-round')).toEqual({
      cluster: 'c-round',
      timestamp: T0,
      listedGroups: ['billing', 'huge#offsets', 'no-partitions', 'broken'],
      failedGroups: ['broken'],
    });
    const windows = await s.readWindows('c-round', { limit: 10, now: T0, notBefore: T0 - 12 * MINUTE });
    expect(windows).toEqual(new Map([['billing', [billing]], ['huge#offsets', [huge]], ['no-partitions', [empty]]]));
  });

  it('packs a run into one gzipped binary item per chunk, keyed by time, with a TTL of window span + margin; the run record counts the chunks', async () => {
    const s = store();
    await s.putSnapshot(clusterSnapshot('c-items', T0, [group('c-items', 'billing', T0, 1n), group('c-items', 'orders', T0, 2n)]));
    const items = await chunkItems('c-items');
    expect(items.map((i) => i.sk)).toEqual([keys.snapshotSk(T0, 0)]);
    const chunk = items[0]?.z as Uint8Array;
    expect(chunk).toBeInstanceOf(Uint8Array);
    const [header, ...lines] = gunzipSync(chunk).toString('utf8').split('\n');
    expect(JSON.parse(header!)).toEqual({ f: CHUNK_FORMAT, c: 'c-items', ts: T0 });
    expect(lines.map((l) => JSON.parse(l.slice(0, l.indexOf('\t'))))).toEqual(['billing', 'orders']);
    expect(items[0]?.[TABLE.timeToLiveAttribute]).toBe(Math.floor((T0 + snapshotRetentionMs(10, MINUTE)) / 1000));
    const run = await clients.doc.send(new GetCommand({ TableName: tableName, Key: { pk: keys.runPk('c-items'), sk: keys.runSk(T0) } }));
    expect(run.Item).toMatchObject({ chunks: 1, listed: ['billing', 'orders'], failed: [] });
    expect(run.Item?.[TABLE.timeToLiveAttribute]).toBe(items[0]?.[TABLE.timeToLiveAttribute]);
  });

  it('a retried run overwrites itself: same keys, new values, no duplicates', async () => {
    const s = store();
    await s.putSnapshot(clusterSnapshot('c-retry', T0, [group('c-retry', 'billing', T0, 100n)]));
    const retried = group('c-retry', 'billing', T0, 200n);
    await s.putSnapshot(clusterSnapshot('c-retry', T0, [retried]));
    expect(await s.readWindows('c-retry', { limit: 10, now: T0, notBefore: 0 })).toEqual(new Map([['billing', [retried]]]));
    expect(await chunkItems('c-retry')).toHaveLength(1);
  });

  it('a retry that needs fewer chunks does not resurrect the first attempt’s extra chunks', async () => {
    const small = store(new RecordingLogger(), 300);
    const many = Array.from({ length: 30 }, (_, i) => group('c-fewer', `g-${i}`, T0, BigInt(i * 7919)));
    await small.putSnapshot(clusterSnapshot('c-fewer', T0, many));
    const first = await chunkItems('c-fewer');
    // The retry sees only two groups (the rest deleted meanwhile): fewer chunks.
    const retried = [group('c-fewer', 'g-0', T0, 50n), group('c-fewer', 'g-1', T0, 51n)];
    expect(small.chunkItems(clusterSnapshot('c-fewer', T0, retried)).length).toBeLessThan(first.length);
    await small.putSnapshot(clusterSnapshot('c-fewer', T0, retried));
    expect(await chunkItems('c-fewer')).toHaveLength(first.length); // stale chunks are still there...
    const windows = await small.readWindows('c-fewer', { limit: 10, now: T0, notBefore: 0 });
    expect(windows).toEqual(new Map([['g-0', [retried[0]]], ['g-1', [retried[1]]]])); // ...and ignored
  });

  it('splits a run into several chunks under maxChunkBytes (groups, and one wide group by partitions) and reads it back whole', async () => {
    const maxChunkBytes = 2048;
    const s = store(new RecordingLogger(), maxChunkBytes);
    const wide: GroupSnapshot = {
      cluster: 'c-wide',
      group: 'wide',
      timestamp: T0,
      state: 'Stable',
      members: 4,
      partitions: Array.from({ length: 3000 }, (_, partition) => ({
        topic: partition % 2 === 0 ? 'even' : 'odd',
        partition,
        committedOffset: BigInt(partition) * 7919n + 9_007_199_254_740_993n,
        logEndOffset: BigInt(partition) * 7919n + 9_007_199_254_740_993n + BigInt(partition % 13),
      })),
    };
    const sortedWide = { ...wide, partitions: [...wide.partitions].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)) };
    const others = Array.from({ length: 40 }, (_, i) => group('c-wide', `other-${i}`, T0, BigInt(i * 1000)));
    const snapshot = clusterSnapshot('c-wide', T0, [wide, ...others]);
    const expected = s.chunkItems(snapshot);
    expect(expected.length).toBeGreaterThan(3);
    for (const item of expected) expect((item.z as Uint8Array).byteLength).toBeLessThanOrEqual(maxChunkBytes);
    await s.putSnapshot(snapshot);
    expect((await chunkItems('c-wide')).map((i) => i.sk)).toEqual(expected.map((i) => i.sk));
    const windows = await s.readWindows('c-wide', { limit: 1, now: T0, notBefore: 0 });
    expect(windows.get('wide')).toEqual([sortedWide]);
    for (const o of others) expect(windows.get(o.group)).toEqual([o]);
  });

  it('returns the newest N complete runs oldest first, ignoring runs after now, before notBefore, or without a record', async () => {
    const s = store();
    for (let i = 0; i < 15; i++) {
      const t = T0 + i * MINUTE;
      // billing every run; orders only in the even ones.
      const groups = [group('c-window', 'billing', t, BigInt(i)), ...(i % 2 === 0 ? [group('c-window', 'orders', t, BigInt(i))] : [])];
      await s.putSnapshot(clusterSnapshot('c-window', t, groups));
    }
    // A run whose chunks landed but whose record did not (the collector died): not a run.
    const partial = new DynamoSnapshotStore(clients.doc, { tableName, retentionMs: MINUTE, logger: new RecordingLogger() });
    const orphan = clusterSnapshot('c-window', T0 + 15 * MINUTE, [group('c-window', 'billing', T0 + 15 * MINUTE, 99n)]);
    for (const Item of partial.chunkItems(orphan)) await clients.doc.send(new PutCommand({ TableName: tableName, Item }));

    const now = T0 + 15 * MINUTE;
    const windows = await s.readWindows('c-window', { limit: 10, now, notBefore: T0 });
    expect(minutes(windows, 'billing')).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(minutes(windows, 'orders')).toEqual([6, 8, 10, 12, 14]);
    const bounded = await s.readWindows('c-window', { limit: 10, now: T0 + 13 * MINUTE, notBefore: T0 + 9 * MINUTE });
    expect(minutes(bounded, 'billing')).toEqual([9, 10, 11, 12, 13]);
    expect(await s.readWindows('c-window', { limit: 10, now: T0 - MINUTE, notBefore: 0 })).toEqual(new Map());
    expect((await s.latestRun('c-window'))?.timestamp).toBe(T0 + 14 * MINUTE);
  });

  it('skips a hand-edited unreadable chunk with a warning naming its key, and reads the other runs', async () => {
    const logger = new RecordingLogger();
    const s = store(logger);
    for (let i = 0; i < 3; i++) {
      const t = T0 + i * MINUTE;
      await s.putSnapshot(clusterSnapshot('c-bad', t, [group('c-bad', 'billing', t, BigInt(i), ['orders'])]));
    }
    const badSk = keys.snapshotSk(T0 + MINUTE, 0);
    await clients.doc.send(
      new PutCommand({ TableName: tableName, Item: { pk: keys.snapshotPk('c-bad'), sk: badSk, v: 1, z: new TextEncoder().encode('{"not":"gzip"}') } }),
    );
    const windows = await s.readWindows('c-bad', { limit: 10, now: T0 + 2 * MINUTE, notBefore: 0 });
    expect(windows.get('billing')?.map((w) => w.timestamp)).toEqual([T0, T0 + 2 * MINUTE]);
    const warning = logger.at('warn')[0];
    expect(warning?.message).toBe('skipping unreadable snapshot chunk');
    expect(warning?.fields).toMatchObject({ pk: keys.snapshotPk('c-bad'), sk: badSk });
    expect(String(warning?.fields?.reason)).toContain('gzip');
  });

  it('skips an unreadable group inside a chunk with a warning naming the key and the group, and keeps the others', async () => {
    const logger = new RecordingLogger();
    const s = store(logger);
    await s.putSnapshot(clusterSnapshot('c-entry', T0, [group('c-entry', 'billing', T0, 1n), group('c-entry', 'orders', T0, 2n)]));
    const sk = keys.snapshotSk(T0, 0);
    const [item] = await chunkItems('c-entry');
    // Format 4: one line per group; billing's entry gets an offset that is not a number.
    const lines = gunzipSync(item?.z as Uint8Array).toString('utf8').split('\n');
    const broken = lines.map((line) => (line.startsWith('"billing"\t') ? '"billing"\t{"s":"Empty","m":0,"t":["orders",3,1,0,"12x",3]}' : line));
    expect(broken).not.toEqual(lines);
    await clients.doc.send(new PutCommand({ TableName: tableName, Item: { ...item, z: gzipSync(broken.join('\n')) } }));
    const windows = await s.readWindows('c-entry', { limit: 10, now: T0, notBefore: 0 });
    expect([...windows.keys()]).toEqual(['orders']);
    const warning = logger.at('warn')[0];
    expect(warning?.message).toBe('skipping unreadable group in snapshot chunk');
    expect(warning?.fields).toMatchObject({ pk: keys.snapshotPk('c-entry'), sk, group: 'billing' });
    expect(String(warning?.fields?.reason)).toContain('12x');
  });

  it('reads runs an earlier version wrote in chunk format 3 next to format-4 runs, as the same snapshots', async () => {
    const s = store();
    const cluster = 'c-format3';
    const older = group(cluster, 'billing', T0, 40n);
    // The run at T0 as the format-3 writer stored it: offsets as decimal strings, tuples per partition.
    const format3 = [
      JSON.stringify({ f: 3, c: cluster, ts: T0 }),
      '"billing"\t' +
        JSON.stringify({
          s: 'Stable',
          m: 3,
          t: ['orders', 'payments'].map((topic) => [
            topic,
            [
              [0, '40', '9007199254740993'],
              [1, '41', '9007199254740992', T0 - 5000],
              [2, null, '9007199254741033'],
            ],
          ]),
        }),
    ].join('\n');
    await clients.doc.send(
      new PutCommand({ TableName: tableName, Item: { pk: keys.snapshotPk(cluster), sk: keys.snapshotSk(T0, 0), v: 1, z: gzipSync(format3) } }),
    );
    await clients.doc.send(new PutCommand({ TableName: tableName, Item: s.runItem(clusterSnapshot(cluster, T0, [older]), 1) }));
    const newer = group(cluster, 'billing', T0 + MINUTE, 50n);
    await s.putSnapshot(clusterSnapshot(cluster, T0 + MINUTE, [newer]));
    const [, chunk] = await chunkItems(cluster);
    expect(JSON.parse(gunzipSync(chunk?.z as Uint8Array).toString('utf8').split('\n')[0]!)).toEqual({ f: 4, c: cluster, ts: T0 + MINUTE });
    const windows = await s.readWindows(cluster, { limit: 10, now: T0 + MINUTE, notBefore: 0 });
    expect(windows).toEqual(new Map([['billing', [older, newer]]]));
  });

  it('has no run until the run record is written (partial writes are invisible as a run)', async () => {
    const s = store();
    expect(await s.latestRun('c-none')).toBeNull();
    expect(await s.readWindows('c-none', { limit: 10, now: T0, notBefore: 0 })).toEqual(new Map());
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

  const open = (revision: number, runTimestamp: number, extra: Partial<AlertRecord> = {}): AlertRecord => ({
    cluster: 'c-alert',
    group: 'billing',
    state,
    revision,
    runTimestamp,
    pending: null,
    ...extra,
  });
  const item = async (cluster: string, group: string) =>
    (await clients.doc.send(new GetCommand({ TableName: tableName, Key: { pk: keys.alertPk(cluster), sk: group } }))).Item;

  it('creates only when absent, updates only from the expected revision, and never from an older run', async () => {
    const alerts = new DynamoAlertStateStore(clients.doc, { tableName, logger: new RecordingLogger() });
    expect(await alerts.write(open(1, 100), null)).toBe(true);
    expect(await alerts.write(open(1, 100), null)).toBe(false);
    const [a, b] = await Promise.all([alerts.write(open(2, 160), 1), alerts.write(open(2, 160, { state: { ...state, team: 'other' } }), 1)]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await alerts.write(open(3, 100), 2)).toBe(false); // decided from an older run than the stored one
    expect(await alerts.list('c-alert')).toEqual([expect.objectContaining({ revision: 2, runTimestamp: 160 })]);
  });

  it('closing writes a tombstone that keeps the revision, holds the pending message, and expires only once sent', async () => {
    const alerts = new DynamoAlertStateStore(clients.doc, { tableName, logger: new RecordingLogger() });
    const pending = {
      kind: 'resolve', cluster: 'c-t', group: 'g', team: 't', severity: 'OK', incidentId: 'c-t/g/1', at: 5,
      subject: 'resolved', text: 'resolved', worstPartitions: [], dashboardUrl: null,
    } as const;
    const record = (revision: number, extra: Partial<AlertRecord>): AlertRecord => ({ ...open(revision, 300), cluster: 'c-t', group: 'g', ...extra });
    expect(await alerts.write(record(1, { state: { ...state, cluster: 'c-t', group: 'g' } }), null)).toBe(true);
    expect(await alerts.write(record(2, { state: null, pending }), 1)).toBe(true);
    expect(await alerts.list('c-t')).toEqual([record(2, { state: null, pending })]);
    expect((await item('c-t', 'g'))?.[TABLE.timeToLiveAttribute]).toBeUndefined();
    expect(await alerts.write(record(3, { state: null }), 2)).toBe(true);
    // A late writer that read "no record" cannot recreate it: the tombstone is there.
    expect(await alerts.write(record(1, { state: { ...state, cluster: 'c-t', group: 'g' } }), null)).toBe(false);
    expect((await item('c-t', 'g'))?.[TABLE.timeToLiveAttribute]).toBe(Math.ceil((300 + ALERT_TOMBSTONE_TTL_MS) / 1000));
  });

  it('reads an item of the first layout (AlertState at the top level) as an open record it can update', async () => {
    const alerts = new DynamoAlertStateStore(clients.doc, { tableName, logger: new RecordingLogger() });
    await clients.doc.send(
      new PutCommand({ TableName: tableName, Item: { pk: keys.alertPk('c-old'), sk: 'billing', v: 1, ...state, cluster: undefined, group: undefined, version: 4 } }),
    );
    const [old] = await alerts.list('c-old');
    expect(old).toMatchObject({ revision: 4, runTimestamp: 0, pending: null, state: { status: 'ERROR', version: 4, group: 'billing' } });
    expect(await alerts.write({ ...old!, revision: 5, runTimestamp: 10 }, 4)).toBe(true);
    expect((await alerts.list('c-old'))[0]?.revision).toBe(5);
  });
});
