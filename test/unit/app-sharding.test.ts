// A cluster split into shards (cluster option `shards`), at the application layer: runCollection and
// runEvaluation on the local MemorySnapshotStore (which, like DynamoDB, keeps each shard's runs
// apart). Each shard's evaluation judges, flushes and declares gone only its own groups; another
// shard's alert records are never touched; changing the shard count holds open incidents while the
// new shards' windows refill, and pages nobody falsely. Group names are chosen by their FNV-1a shard
// (test/unit/core/shard.test.ts pins the hash): of 2 shards, orders and billing are in shard 0,
// search and fraud in shard 1; of 3, billing and search are in 1, orders and fraud in 2.
import { describe, expect, it } from 'vitest';
import { MemorySnapshotStore } from '../../functions/adapters/local/memory-snapshot-store.js';
import { runCollection } from '../../functions/app/collect.js';
import { runEvaluation, type EvaluateDeps } from '../../functions/app/evaluate.js';
import { DIMENSION, METRIC } from '../../functions/core/metrics.js';
import { DEFAULT_POLICY, type PolicyConfig } from '../../functions/core/policy.js';
import { inShard, shardOf, type Shard } from '../../functions/core/shard.js';
import type { ClusterSnapshot } from '../../functions/core/types.js';
import { MemoryAlertStore, MINUTE, RecordingLogger, RecordingMetrics, RecordingNotifier, ScriptedCollector, stuckGroup } from './app-fakes.js';

const CLUSTER = 'prod';
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % MINUTE);
const policy: PolicyConfig = { defaults: { ...DEFAULT_POLICY, team: 'payments' }, overrides: [] };
const S0: Shard = { index: 0, count: 2 };
const S1: Shard = { index: 1, count: 2 };

function setup() {
  const store = new MemorySnapshotStore();
  const alerts = new MemoryAlertStore();
  const notifier = new RecordingNotifier();
  const metrics = new RecordingMetrics();
  const logger = new RecordingLogger();
  const deps: EvaluateDeps = { store, alerts, notifier, metrics, logger, clock: () => 0, policy, snapshotIntervalMs: MINUTE, dashboardUrl: null };
  return { store, alerts, notifier, metrics, logger, deps };
}

/** One shard's run at `t`: only the groups given, which must all be the shard's. */
function shardRun(shard: Shard, t: number, groups: Record<string, { caughtUp?: boolean }>): ClusterSnapshot {
  for (const g of Object.keys(groups)) if (!inShard(g, shard)) throw new Error(`test setup: ${g} is not in shard ${shard.index} of ${shard.count}`);
  const snapshots = Object.entries(groups).map(([g, o]) => stuckGroup(CLUSTER, g, t, o));
  return { cluster: CLUSTER, timestamp: t, groups: snapshots, failures: [], listedGroups: snapshots.map((s) => s.group), shard };
}

async function storeRuns(store: MemorySnapshotStore, shard: Shard, count: number, groups: Record<string, { caughtUp?: boolean }>, from = T0): Promise<number> {
  let t = from;
  for (let i = 0; i < count; i++) {
    t = from + i * MINUTE;
    await store.putSnapshot(shardRun(shard, t, groups));
  }
  return t;
}

describe('the test names', () => {
  it('are in the shards the header says', () => {
    expect(['orders', 'billing', 'search', 'fraud'].map((g) => shardOf(g, 2))).toEqual([0, 0, 1, 1]);
    expect(['orders', 'billing', 'search', 'fraud'].map((g) => shardOf(g, 3))).toEqual([2, 1, 1, 2]);
  });
});

describe('runCollection of one shard', () => {
  it('asks the collector for its shard, stores the run under it, and reports it', async () => {
    const { store, metrics, logger } = setup();
    const asked: (Shard | undefined)[] = [];
    const collector = {
      async collect(timestamp: number, shard?: Shard) {
        asked.push(shard);
        return shardRun(shard!, timestamp, { search: {} });
      },
      async close() {},
    };
    const result = await runCollection({ collector, store, metrics, logger, clock: () => 0 }, { cluster: CLUSTER, scheduledAt: T0, shard: S1 });
    expect(asked).toEqual([S1]);
    expect(result).toMatchObject({ groups: 1, shard: S1 });
    expect(await store.latestRun(CLUSTER, { shard: S1 })).toEqual({ cluster: CLUSTER, timestamp: T0, listedGroups: ['search'], failedGroups: [], shard: S1 });
    // Not a run of the whole cluster, nor of the other shard.
    expect(await store.latestRun(CLUSTER)).toBeNull();
    expect(await store.latestRun(CLUSTER, { shard: S0 })).toBeNull();
    expect(logger.entries.find((e) => e.message === 'collection stored')?.fields).toMatchObject({ shard: '1of2' });
  });

  it('stores nothing when the collector hands back another shard (or the whole cluster)', async () => {
    const { store, metrics, logger } = setup();
    const whole = new ScriptedCollector((t) => ({ ...shardRun(S1, t, { search: {} }), shard: undefined }) as ClusterSnapshot);
    await expect(runCollection({ collector: whole, store, metrics, logger, clock: () => 0 }, { cluster: CLUSTER, scheduledAt: T0, shard: S1 })).rejects.toThrow(
      /read shard 0of1 when asked for 1of2/,
    );
    expect(await store.latestRun(CLUSTER, { shard: S1 })).toBeNull();
    expect(await store.latestRun(CLUSTER)).toBeNull();
  });
});

describe('runEvaluation of one shard', () => {
  it('judges only the shard’s groups, from the shard’s own runs, and pages for them only', async () => {
    const { store, notifier, deps } = setup();
    await storeRuns(store, S0, 5, { orders: {}, billing: { caughtUp: true } });
    const now = await storeRuns(store, S1, 5, { search: {}, fraud: { caughtUp: true } });
    const first = await runEvaluation(deps, { cluster: CLUSTER, now, shard: S0 });
    expect(first.shard).toEqual(S0);
    expect(first.verdicts.map((v) => [v.group, v.status])).toEqual([
      ['billing', 'OK'],
      ['orders', 'ERROR'],
    ]);
    expect(notifier.sent.map((n) => [n.kind, n.group])).toEqual([['open', 'orders']]);
    const second = await runEvaluation(deps, { cluster: CLUSTER, now, shard: S1 });
    expect(second.verdicts.map((v) => v.group)).toEqual(['fraud', 'search']);
    expect(notifier.sent.map((n) => [n.kind, n.group])).toEqual([
      ['open', 'orders'],
      ['open', 'search'],
    ]);
  });

  it('declares a group gone only from its own shard’s run; the other shard leaves its alert alone', async () => {
    const { store, alerts, notifier, deps } = setup();
    await storeRuns(store, S0, 5, { orders: {} });
    let now = await storeRuns(store, S1, 5, { search: {} });
    await runEvaluation(deps, { cluster: CLUSTER, now, shard: S0 });
    await runEvaluation(deps, { cluster: CLUSTER, now, shard: S1 });
    expect(notifier.sent.map((n) => [n.kind, n.group])).toEqual([
      ['open', 'orders'],
      ['open', 'search'],
    ]);
    const searchRecord = alerts.records.get(`${CLUSTER}/search`);

    // search is deleted: shard 1's next run lists nothing. Shard 0's run never lists search either,
    // yet its evaluation must not call it gone (nor touch its record).
    now += MINUTE;
    await store.putSnapshot(shardRun(S0, now, { orders: {} }));
    const s0 = await runEvaluation(deps, { cluster: CLUSTER, now, shard: S0 });
    expect(s0.verdicts.map((v) => v.group)).toEqual(['orders']);
    expect(alerts.records.get(`${CLUSTER}/search`)).toBe(searchRecord);
    expect(notifier.sent.filter((n) => n.kind === 'gone')).toEqual([]);

    await store.putSnapshot(shardRun(S1, now, {}));
    await runEvaluation(deps, { cluster: CLUSTER, now, shard: S1 });
    expect(notifier.sent.filter((n) => n.kind === 'gone').map((n) => n.group)).toEqual(['search']);
    expect(alerts.states.has(`${CLUSTER}/search`)).toBe(false);
    expect(alerts.states.has(`${CLUSTER}/orders`)).toBe(true);
  });

  it('leaves another shard’s pending message to that shard', async () => {
    const { store, alerts, notifier, deps } = setup();
    await storeRuns(store, S0, 5, { orders: {} });
    const now = await storeRuns(store, S1, 5, { search: {} });
    notifier.failuresLeft = 1;
    await runEvaluation(deps, { cluster: CLUSTER, now, shard: S1 });
    expect(alerts.records.get(`${CLUSTER}/search`)?.pending?.kind).toBe('open');
    await runEvaluation(deps, { cluster: CLUSTER, now, shard: S0 });
    expect(notifier.sent.map((n) => n.group)).toEqual(['orders']);
    expect(alerts.records.get(`${CLUSTER}/search`)?.pending?.kind).toBe('open');
    await runEvaluation(deps, { cluster: CLUSTER, now, shard: S1 });
    expect(notifier.sent.map((n) => n.group)).toEqual(['orders', 'search']);
  });

  it('publishes the shard’s per-status counts under its Shard dimension (the whole cluster’s carry none)', async () => {
    const { store, metrics, deps } = setup();
    const now = await storeRuns(store, S1, 5, { search: {}, fraud: { caughtUp: true } });
    await runEvaluation(deps, { cluster: CLUSTER, now, shard: S1 });
    const counts = metrics.all().filter((m) => m.name === METRIC.Groups);
    expect(counts.map((m) => [m.dimensions, m.value])).toEqual([
      [{ [DIMENSION.Cluster]: CLUSTER, [DIMENSION.Shard]: '1of2', [DIMENSION.Status]: 'OK' }, 1],
      [{ [DIMENSION.Cluster]: CLUSTER, [DIMENSION.Shard]: '1of2', [DIMENSION.Status]: 'WARNING' }, 0],
      [{ [DIMENSION.Cluster]: CLUSTER, [DIMENSION.Shard]: '1of2', [DIMENSION.Status]: 'ERROR' }, 1],
    ]);
    // Per-group metrics carry no shard: the top-10 queries rank groups of every shard together.
    expect(metrics.all().filter((m) => m.dimensions[DIMENSION.Group] !== undefined).every((m) => m.dimensions[DIMENSION.Shard] === undefined)).toBe(true);
  });
});

describe('changing the shard count (2 → 3)', () => {
  const R0: Shard = { index: 0, count: 3 };
  const R1: Shard = { index: 1, count: 3 };
  const R2: Shard = { index: 2, count: 3 };

  async function openUnderTwoShards() {
    const ctx = setup();
    await storeRuns(ctx.store, S0, 5, { orders: {}, billing: { caughtUp: true } });
    const now = await storeRuns(ctx.store, S1, 5, { search: {}, fraud: { caughtUp: true } });
    await runEvaluation(ctx.deps, { cluster: CLUSTER, now, shard: S0 });
    await runEvaluation(ctx.deps, { cluster: CLUSTER, now, shard: S1 });
    expect(ctx.notifier.sent.map((n) => [n.kind, n.group])).toEqual([
      ['open', 'orders'],
      ['open', 'search'],
    ]);
    return { ...ctx, now };
  }

  it('holds every open incident while the new shards’ windows refill, then judges it: no resolve, no second page', async () => {
    const { store, alerts, notifier, deps, now } = await openUnderTwoShards();
    const opened = new Map([...alerts.states].map(([k, s]) => [k, s.incidentId]));
    // The new shards' runs: orders moved to shard 2, search to shard 1. Their windows start empty
    // (runs of 2 shards are not theirs), so the first verdicts are blind and the incidents are held.
    for (let i = 1; i <= 5; i++) {
      const t = now + i * MINUTE;
      await store.putSnapshot(shardRun(R0, t, {}));
      await store.putSnapshot(shardRun(R1, t, { billing: { caughtUp: true }, search: {} }));
      await store.putSnapshot(shardRun(R2, t, { orders: {}, fraud: { caughtUp: true } }));
      for (const shard of [R0, R1, R2]) {
        const result = await runEvaluation(deps, { cluster: CLUSTER, now: t, shard });
        if (i === 1 && shard === R2) expect(result.verdicts.find((v) => v.group === 'orders')).toMatchObject({ status: 'ERROR', rule: 'stale', stale: true });
      }
    }
    // Still the same two incidents, carried by the groups' new shards; nothing else was sent.
    expect(notifier.sent.map((n) => [n.kind, n.group])).toEqual([
      ['open', 'orders'],
      ['open', 'search'],
    ]);
    expect(new Map([...alerts.states].map(([k, s]) => [k, s.incidentId]))).toEqual(opened);
  });

  it('resolves a moved group’s incident from its new shard once judged OK, and reports it gone from there when deleted', async () => {
    const { store, notifier, deps, now } = await openUnderTwoShards();
    for (let i = 1; i <= 4; i++) {
      const t = now + i * MINUTE;
      // orders recovers (caught up); search is deleted right after the change.
      await store.putSnapshot(shardRun(R2, t, { orders: { caughtUp: true } }));
      await store.putSnapshot(shardRun(R1, t, { billing: { caughtUp: true } }));
      await runEvaluation(deps, { cluster: CLUSTER, now: t, shard: R2 });
      await runEvaluation(deps, { cluster: CLUSTER, now: t, shard: R1 });
    }
    expect(notifier.sent.map((n) => [n.kind, n.group])).toEqual([
      ['open', 'orders'],
      ['open', 'search'],
      ['gone', 'search'],
      ['resolve', 'orders'],
    ]);
  });

  it('does not read runs of the old shard count into the new shards’ windows', async () => {
    const { store, deps, now } = await openUnderTwoShards();
    const t = now + MINUTE;
    await store.putSnapshot(shardRun(R2, t, { orders: {} }));
    const result = await runEvaluation(deps, { cluster: CLUSTER, now: t, shard: R2 });
    expect(result.verdicts.find((v) => v.group === 'orders')?.snapshots).toBe(1);
  });
});
