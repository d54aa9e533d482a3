// A sharded cluster's runs in DynamoDB (moto over the wire): each shard's snapshot chunks and run
// record under its own keys (`S#<cluster>#1of2`, `R#<cluster>#1of2`), the record naming its shard;
// the whole cluster's keys unchanged; reads of one shard never see another's runs (or another shard
// count's); and runEvaluation over the real stores judges and declares gone per shard, leaving the
// other shard's alert records as they were. Names by FNV-1a shard of 2: orders 0, search 1.
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoAlertStateStore } from '../../functions/adapters/dynamodb/alert-state-store.js';
import { DynamoSnapshotStore } from '../../functions/adapters/dynamodb/snapshot-store.js';
import { keys, snapshotRetentionMs, TABLE } from '../../functions/adapters/dynamodb/table.js';
import { runEvaluation, type EvaluateDeps } from '../../functions/app/evaluate.js';
import { DEFAULT_POLICY } from '../../functions/core/policy.js';
import { shardOf, type Shard } from '../../functions/core/shard.js';
import type { ClusterSnapshot } from '../../functions/core/types.js';
import { clusterSnapshot, MINUTE, RecordingLogger, RecordingMetrics, RecordingNotifier, stuckGroup } from '../unit/app-fakes.js';
import { runLagwatch } from '../support/lagwatch-process.js';
import { awsClients, freshTable } from './aws-clients.js';

const clients = awsClients(inject('motoEndpoint'));
let tableName = '';
const T0 = 1_770_000_000_000 - (1_770_000_000_000 % MINUTE);
const S0: Shard = { index: 0, count: 2 };
const S1: Shard = { index: 1, count: 2 };

beforeAll(async () => {
  tableName = await freshTable(clients.dynamodb);
});
afterAll(() => {
  clients.dynamodb.destroy();
});

function store(logger = new RecordingLogger()) {
  return new DynamoSnapshotStore(clients.doc, { tableName, retentionMs: snapshotRetentionMs(10, MINUTE), logger });
}

function shardRun(cluster: string, shard: Shard | null, t: number, groups: string[], failed: string[] = []): ClusterSnapshot {
  const base = clusterSnapshot(cluster, t, groups.map((g) => stuckGroup(cluster, g, t)), failed);
  return shard === null ? base : { ...base, shard };
}

async function itemsUnder(pk: string) {
  const out = await clients.doc.send(
    new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }),
  );
  return out.Items ?? [];
}

describe('DynamoSnapshotStore with shards', () => {
  it('keeps the names the test relies on in their shards', () => {
    expect([shardOf('orders', 2), shardOf('search', 2)]).toEqual([0, 1]);
  });

  it('stores each shard under its own keys, its run record naming the shard; the whole cluster’s keys are unchanged', async () => {
    const s = store();
    await s.putSnapshot(shardRun('keys', S0, T0, ['orders']));
    await s.putSnapshot(shardRun('keys', S1, T0, ['search'], ['fraud']));
    await s.putSnapshot(shardRun('keys', null, T0, ['orders', 'search']));
    expect(keys.runPk('keys', S1)).toBe('R#keys#1of2');
    expect(keys.snapshotPk('keys', S1)).toBe('S#keys#1of2');

    const [run1] = await itemsUnder('R#keys#1of2');
    expect(run1).toMatchObject({ listed: ['search', 'fraud'], failed: ['fraud'], shard: 1, shards: 2 });
    expect(await itemsUnder('S#keys#1of2')).toHaveLength(1);
    const [whole] = await itemsUnder('R#keys');
    expect(whole).toMatchObject({ listed: ['orders', 'search'], failed: [] });
    expect(whole).not.toHaveProperty('shard');
    expect(whole).not.toHaveProperty('shards');

    expect(await s.latestRun('keys', { shard: S1 })).toEqual({
      cluster: 'keys',
      timestamp: T0,
      listedGroups: ['search', 'fraud'],
      failedGroups: ['fraud'],
      shard: S1,
    });
    expect(await s.latestRun('keys')).toEqual({ cluster: 'keys', timestamp: T0, listedGroups: ['orders', 'search'], failedGroups: [] });
  });

  it('reads one shard’s windows only: never another shard’s runs, another shard count’s, or the whole cluster’s', async () => {
    const s = store();
    for (let i = 0; i < 3; i++) {
      const t = T0 + i * MINUTE;
      await s.putSnapshot(shardRun('reads', S0, t, ['orders']));
      await s.putSnapshot(shardRun('reads', S1, t, ['search']));
    }
    // Another shard count's run and a whole-cluster run, newer than all of them.
    await s.putSnapshot(shardRun('reads', { index: 1, count: 3 }, T0 + 3 * MINUTE, ['search', 'orders']));
    await s.putSnapshot(shardRun('reads', null, T0 + 3 * MINUTE, ['search', 'orders']));
    const read = async (shard: Shard) => {
      const windows = await s.readWindows('reads', { limit: 10, now: T0 + 10 * MINUTE, notBefore: T0 - MINUTE, shard });
      return Object.fromEntries([...windows].map(([g, w]) => [g, w.map((x) => (x.timestamp - T0) / MINUTE)]));
    };
    expect(await read(S0)).toEqual({ orders: [0, 1, 2] });
    expect(await read(S1)).toEqual({ search: [0, 1, 2] });
    expect((await s.latestRun('reads', { shard: S1 }))?.timestamp).toBe(T0 + 2 * MINUTE);
  });

  it('skips a run record whose own shard disagrees with its key, with a warning', async () => {
    const logger = new RecordingLogger();
    const s = store(logger);
    await s.putSnapshot(shardRun('forged', S1, T0, ['search']));
    const [item] = await itemsUnder('R#forged#1of2');
    // The same record copied under shard 0's key: it still says shard 1.
    await clients.doc.send(new PutCommand({ TableName: tableName, Item: { ...item, [TABLE.partitionKey]: keys.runPk('forged', S0) } }));
    expect(await s.latestRun('forged', { shard: S0 })).toBeNull();
    expect(logger.entries.some((e) => e.message === 'skipping unreadable run record' && e.fields?.pk === 'R#forged#0of2')).toBe(true);
    expect((await s.latestRun('forged', { shard: S1 }))?.listedGroups).toEqual(['search']);
  });
});

describe('runEvaluation per shard on DynamoDB', () => {
  it('pages a stopped group once from its shard, and calls a deleted group gone only from its own shard', async () => {
    const cluster = 'eval';
    const snapshots = store();
    const alerts = new DynamoAlertStateStore(clients.doc, { tableName, logger: new RecordingLogger() });
    const notifier = new RecordingNotifier();
    const deps: EvaluateDeps = {
      store: snapshots,
      alerts,
      notifier,
      metrics: new RecordingMetrics(),
      logger: new RecordingLogger(),
      clock: () => 0,
      policy: { defaults: { ...DEFAULT_POLICY, team: 'payments' }, overrides: [] },
      snapshotIntervalMs: MINUTE,
      dashboardUrl: null,
    };
    let t = T0;
    for (let i = 0; i < 5; i++) {
      t = T0 + i * MINUTE;
      await snapshots.putSnapshot(shardRun(cluster, S0, t, ['orders']));
      await snapshots.putSnapshot(shardRun(cluster, S1, t, ['search']));
      await runEvaluation(deps, { cluster, now: t, shard: S0 });
      await runEvaluation(deps, { cluster, now: t, shard: S1 });
    }
    expect(notifier.sent.map((n) => [n.kind, n.group])).toEqual([
      ['open', 'orders'],
      ['open', 'search'],
    ]);
    const searchKey = { [TABLE.partitionKey]: keys.alertPk(cluster), [TABLE.sortKey]: 'search' };
    const before = (await clients.doc.send(new GetCommand({ TableName: tableName, Key: searchKey }))).Item;
    expect(before).toBeDefined();

    // search is deleted. Shard 0's run (which never listed it) leaves it alone; shard 1's says gone.
    t += MINUTE;
    await snapshots.putSnapshot(shardRun(cluster, S0, t, ['orders']));
    await runEvaluation(deps, { cluster, now: t, shard: S0 });
    expect((await clients.doc.send(new GetCommand({ TableName: tableName, Key: searchKey }))).Item).toEqual(before);
    await snapshots.putSnapshot(shardRun(cluster, S1, t, []));
    const result = await runEvaluation(deps, { cluster, now: t, shard: S1 });
    expect(result.notifications.map((n) => [n.kind, n.group])).toEqual([['gone', 'search']]);
    const open = (await alerts.list(cluster)).filter((r) => r.state !== null).map((r) => r.group);
    expect(open).toEqual(['orders']);

    // `lagwatch status` finds the shard count in the table and judges every shard, read-only.
    const env = { AWS_ENDPOINT_URL: inject('motoEndpoint'), AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };
    const out = await runLagwatch(['status', '--table', tableName, '--cluster', cluster, '--json'], env);
    expect(out.code, out.stderr).toBe(0);
    const [status] = JSON.parse(out.stdout) as { cluster: string; shards?: number; listedGroups: number; runAt: string; groups: { group: string; status: string }[] }[];
    expect(status).toMatchObject({ cluster, shards: 2, listedGroups: 1, runAt: new Date(t).toISOString() });
    expect(status!.groups.map((g) => `${g.group}:${g.status}`)).toEqual(['orders:ERROR']);
    // Every cluster the scan finds is a cluster name, never a key's shard suffix.
    const all = await runLagwatch(['status', '--table', tableName, '--json'], env);
    expect((JSON.parse(all.stdout) as { cluster: string }[]).map((c) => c.cluster)).toEqual(['eval', 'forged', 'keys', 'reads']);
  });
});
