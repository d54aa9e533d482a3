// runEvaluation / runCollection with in-memory ports: the alert lifecycle, the claim-then-publish
// protocol, gone groups, isolation of per-group failures, stale runs.
import { describe, expect, it } from 'vitest';
import { runCollection } from '../../functions/app/collect.js';
import { DEADLINE_RESERVE_MS, runEvaluation, type EvaluateDeps } from '../../functions/app/evaluate.js';
import { CollectorError } from '../../functions/core/errors.js';
import { METRIC } from '../../functions/core/metrics.js';
import { DEFAULT_POLICY, type PolicyConfig } from '../../functions/core/policy.js';
import {
  clusterSnapshot,
  MemoryAlertStore,
  ObservedSnapshotStore,
  MINUTE,
  RecordingLogger,
  RecordingMetrics,
  RecordingNotifier,
  ScriptedCollector,
  stuckGroup,
} from './app-fakes.js';

const CLUSTER = 'prod';
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % MINUTE);
const policy: PolicyConfig = { defaults: { ...DEFAULT_POLICY, team: 'payments' }, overrides: [] };

function setup() {
  const store = new ObservedSnapshotStore();
  const alerts = new MemoryAlertStore();
  const notifier = new RecordingNotifier();
  const metrics = new RecordingMetrics();
  const logger = new RecordingLogger();
  const deps: EvaluateDeps = {
    store,
    alerts,
    notifier,
    metrics,
    logger,
    clock: () => 0,
    policy,
    snapshotIntervalMs: MINUTE,
    dashboardUrl: null,
  };
  return { store, alerts, notifier, metrics, logger, deps };
}

/** Stores `count` runs (T0, T0+1m, ...) of the given groups; returns the last timestamp. */
async function storeRuns(store: ObservedSnapshotStore, count: number, groups: Record<string, { caughtUp?: boolean }>, from = T0): Promise<number> {
  let t = from;
  for (let i = 0; i < count; i++) {
    t = from + i * MINUTE;
    await store.putSnapshot(clusterSnapshot(CLUSTER, t, Object.entries(groups).map(([g, o]) => stuckGroup(CLUSTER, g, t, o))));
  }
  return t;
}

describe('runEvaluation near its deadline', () => {
  it('claims nothing once the deadline is within the reserve: those groups are left for the next run, which judges them', async () => {
    const { store, notifier, deps } = setup();
    const now = await storeRuns(store, 5, { a: {}, b: {}, c: {}, d: {} });
    // The clock moves 2 s per reading: the deadline reserve is reached after the first groups.
    let t = 0;
    const clock = () => (t += 2_000);
    const first = await runEvaluation({ ...deps, clock, concurrency: 1 }, { cluster: CLUSTER, now, deadline: DEADLINE_RESERVE_MS + 5_000 });
    expect(first.deferred.length).toBeGreaterThan(0);
    expect(first.deferred.length).toBeLessThan(4);
    const judged = first.verdicts.map((v) => v.group);
    expect([...judged, ...first.deferred].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(notifier.sent.map((n) => n.group).sort()).toEqual(judged.sort());

    const next = await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(next.deferred).toEqual([]);
    expect(next.notifications.map((n) => n.group).sort()).toEqual([...first.deferred].sort());
    expect(notifier.sent.map((n) => n.kind)).toEqual(['open', 'open', 'open', 'open']);
  });
  it('without a deadline every group is judged', async () => {
    const { store, deps } = setup();
    const now = await storeRuns(store, 5, { a: {}, b: {} });
    const result = await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(result.deferred).toEqual([]);
    expect(result.verdicts).toHaveLength(2);
  });
});

describe('runEvaluation', () => {
  it('opens one incident for a stopped group, stays quiet while it lasts, resolves once when caught up', async () => {
    const { store, notifier, alerts, deps } = setup();
    let now = await storeRuns(store, 5, { pay: {} });
    const first = await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(first.verdicts.map((v) => v.status)).toEqual(['ERROR']);
    expect(notifier.sent.map((n) => n.kind)).toEqual(['open']);
    expect(alerts.states.get(`${CLUSTER}/pay`)?.version).toBe(1);

    now = await storeRuns(store, 1, { pay: {} }, now + MINUTE);
    await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(notifier.sent).toHaveLength(1);

    now = await storeRuns(store, 1, { pay: { caughtUp: true } }, now + MINUTE);
    const resolved = await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(resolved.notifications.map((n) => n.kind)).toEqual(['resolve']);
    expect(alerts.states.size).toBe(0);
  });

  it('two runs at the same moment send exactly one message (the loser of the conditional write sends nothing)', async () => {
    const { store, notifier, alerts, deps } = setup();
    const now = await storeRuns(store, 5, { pay: {} });
    alerts.barrier = { parties: 2, waiting: [] };
    const [a, b] = await Promise.all([runEvaluation(deps, { cluster: CLUSTER, now }), runEvaluation(deps, { cluster: CLUSTER, now })]);
    expect(notifier.sent).toHaveLength(1);
    expect([...a.lostClaims, ...b.lostClaims]).toEqual(['pay']);
  });

  it('a failed publish keeps the claimed transition and its message in the outbox; the next run sends it once', async () => {
    const { store, notifier, alerts, deps } = setup();
    let now = await storeRuns(store, 5, { pay: {} });
    notifier.failuresLeft = 1;
    const failed = await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(failed.notifications).toEqual([]);
    expect(failed.notificationFailures).toBe(1);
    expect(failed.failures[0]?.error).toContain('stays in the outbox');
    expect(alerts.records.get(`${CLUSTER}/pay`)?.pending?.kind).toBe('open');

    now = await storeRuns(store, 1, { pay: {} }, now + MINUTE);
    const retried = await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(retried.notifications.map((n) => n.kind)).toEqual(['open']);
    expect(notifier.sent).toHaveLength(1);
    expect(alerts.records.get(`${CLUSTER}/pay`)?.pending).toBeNull();
  });

  it('a failed resolve stays pending on the tombstone and goes out next run; nothing reopens meanwhile', async () => {
    const { store, notifier, alerts, deps } = setup();
    let now = await storeRuns(store, 5, { pay: {} });
    await runEvaluation(deps, { cluster: CLUSTER, now });
    now = await storeRuns(store, 1, { pay: { caughtUp: true } }, now + MINUTE);
    notifier.failuresLeft = 1;
    await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(alerts.states.size).toBe(0);
    expect(alerts.records.get(`${CLUSTER}/pay`)?.pending?.kind).toBe('resolve');
    now = await storeRuns(store, 1, { pay: { caughtUp: true } }, now + MINUTE);
    await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(notifier.sent.map((n) => n.kind)).toEqual(['open', 'resolve']);
    expect(alerts.states.size).toBe(0);
    expect(alerts.records.get(`${CLUSTER}/pay`)).toMatchObject({ state: null, pending: null });
  });

  it('a pending message goes out first even when the run is too old to judge from', async () => {
    const { store, notifier, alerts, deps } = setup();
    let now = await storeRuns(store, 5, { pay: {} });
    notifier.failuresLeft = 1;
    await runEvaluation(deps, { cluster: CLUSTER, now });
    now += 10 * MINUTE;
    const stale = await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(stale.stale).toBe(true);
    expect(stale.notifications.map((n) => n.kind)).toEqual(['open']);
    expect(alerts.records.get(`${CLUSTER}/pay`)?.pending).toBeNull();
  });

  it('a late evaluator (older run than the stored decision) neither decides nor sends', async () => {
    const { store, notifier, alerts, deps } = setup();
    const early = await storeRuns(store, 5, { pay: {} });
    const late = await storeRuns(store, 1, { pay: { caughtUp: true } }, early + MINUTE);
    // The newer run opened nothing (caught up); then an evaluation of the older run arrives.
    await alerts.write({ cluster: CLUSTER, group: 'pay', state: null, revision: 1, runTimestamp: late, pending: null }, null);
    const seesOnlyEarly = {
      putSnapshot: store.putSnapshot.bind(store),
      readWindows: store.readWindows.bind(store),
      latestRun: async () => ({ cluster: CLUSTER, timestamp: early, listedGroups: ['pay'], failedGroups: [] }),
    };
    const result = await runEvaluation({ ...deps, store: seesOnlyEarly }, { cluster: CLUSTER, now: early });
    expect(result.lostClaims).toEqual(['pay']);
    expect(notifier.sent).toEqual([]);
    expect(alerts.states.size).toBe(0);
  });

  it('a group absent from the latest run gets one "gone" message and its state is removed; a failed group is not gone', async () => {
    const { store, notifier, alerts, deps } = setup();
    let now = await storeRuns(store, 5, { pay: {}, ship: {} });
    await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(notifier.sent.map((n) => `${n.kind}:${n.group}`).sort()).toEqual(['open:pay', 'open:ship']);

    now += MINUTE;
    // pay disappeared; ship was listed but could not be read.
    await store.putSnapshot(clusterSnapshot(CLUSTER, now, [], ['ship']));
    const result = await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(result.notifications.map((n) => `${n.kind}:${n.group}`)).toEqual(['gone:pay']);
    expect([...alerts.states.keys()]).toEqual([`${CLUSTER}/ship`]);

    now += MINUTE;
    await store.putSnapshot(clusterSnapshot(CLUSTER, now, [], ['ship']));
    await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(notifier.sent.filter((n) => n.kind === 'gone')).toHaveLength(1);
  });

  it('isolates a failing group and counts it in the run metrics', async () => {
    const { store, notifier, alerts, metrics, deps } = setup();
    const now = await storeRuns(store, 5, { pay: {}, ship: {} });
    alerts.failPutFor.add('pay');
    const result = await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(result.failures.map((f) => f.group)).toEqual(['pay']);
    expect(notifier.sent.map((n) => n.group)).toEqual(['ship']);
    const groupFailures = metrics.all().find((m) => m.name === METRIC.EvaluatorGroupFailures);
    expect(groupFailures?.value).toBe(1);
    expect(metrics.all().find((m) => m.name === METRIC.NotificationsSent)?.value).toBe(1);
  });

  it('reads every window once per evaluation, as far back as the largest window any policy needs', async () => {
    const { store, deps } = setup();
    const now = await storeRuns(store, 20, { pay: {}, 'batch-job': {} });
    const config: PolicyConfig = { ...policy, overrides: [{ match: 'batch-*', windowSize: 15 }] };
    const result = await runEvaluation({ ...deps, policy: config }, { cluster: CLUSTER, now });
    expect(store.reads).toEqual([{ cluster: CLUSTER, limit: 15, now, notBefore: now - 17 * MINUTE }]);
    // Each group is judged on its own window: pay on the newest 10, batch-job on the newest 15.
    expect(Object.fromEntries(result.verdicts.map((v) => [v.group, v.snapshots]))).toEqual({ pay: 10, 'batch-job': 15 });
  });

  it('when the windows cannot be read, no listed group is judged or called gone, and gone groups still end', async () => {
    const { store, notifier, alerts, metrics, deps } = setup();
    let now = await storeRuns(store, 5, { pay: {}, ship: {} });
    await runEvaluation(deps, { cluster: CLUSTER, now });
    now = await storeRuns(store, 1, { ship: {} }, now + MINUTE);
    store.failReads = true;
    const result = await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(result.verdicts).toEqual([]);
    expect(result.failures).toEqual([{ group: 'ship', error: expect.stringContaining('injected read failure') }]);
    expect(result.notifications.map((n) => `${n.kind}:${n.group}`)).toEqual(['gone:pay']);
    expect([...alerts.states.keys()]).toEqual([`${CLUSTER}/ship`]);
    expect(notifier.sent.filter((n) => n.group === 'ship')).toHaveLength(1);
    expect(metrics.batches.at(-1)?.find((m) => m.name === METRIC.EvaluatorGroupFailures)?.value).toBe(1);
  });

  it('does not judge from a run older than three intervals (collector down): no alert, nothing gone', async () => {
    const { store, notifier, alerts, deps } = setup();
    let now = await storeRuns(store, 5, { pay: {} });
    await runEvaluation(deps, { cluster: CLUSTER, now });
    now += 10 * MINUTE;
    const result = await runEvaluation(deps, { cluster: CLUSTER, now });
    expect(result.stale).toBe(true);
    expect(result.verdicts).toEqual([]);
    expect(notifier.sent).toHaveLength(1);
    expect(alerts.states.size).toBe(1);
  });
});

describe('runCollection', () => {
  it('stores the snapshot with its run record and publishes collector metrics', async () => {
    const store = new ObservedSnapshotStore();
    const metrics = new RecordingMetrics();
    const collector = new ScriptedCollector((t) => clusterSnapshot(CLUSTER, t, [stuckGroup(CLUSTER, 'pay', t)], ['broken']));
    const result = await runCollection(
      { collector, store, metrics, logger: new RecordingLogger(), clock: () => 5 },
      { cluster: CLUSTER, scheduledAt: T0 },
    );
    expect(result).toMatchObject({ groups: 1, failures: [{ group: 'broken' }] });
    expect(await store.latestRun(CLUSTER)).toMatchObject({ timestamp: T0, failedGroups: ['broken'] });
    const byName = Object.fromEntries(metrics.all().map((m) => [m.name, m.value]));
    expect(byName).toMatchObject({ [METRIC.SnapshotsWritten]: 1, [METRIC.CollectorGroupFailures]: 1 });
    // A zero failure count is not published (it costs the same as a one); the alarm fills it with 0.
    expect(byName).not.toHaveProperty(METRIC.CollectorFailures);
  });

  it('a retried run (the same scheduled time) stays one run: the evaluator counts its snapshot once', async () => {
    const { store, deps } = setup();
    const collector = new ScriptedCollector((t) => clusterSnapshot(CLUSTER, t, [stuckGroup(CLUSTER, 'pay', t)]));
    const collect = (scheduledAt: number) =>
      runCollection({ collector, store, metrics: new RecordingMetrics(), logger: new RecordingLogger(), clock: () => 0 }, { cluster: CLUSTER, scheduledAt });
    for (let i = 0; i < 4; i++) await collect(T0 + i * MINUTE);
    await collect(T0 + 3 * MINUTE); // the scheduler retries the last run
    expect((await store.readRuns(CLUSTER)).map((r) => r.timestamp)).toEqual([T0, T0 + MINUTE, T0 + 2 * MINUTE, T0 + 3 * MINUTE]);
    const result = await runEvaluation(deps, { cluster: CLUSTER, now: T0 + 3 * MINUTE });
    expect(result.verdicts.map((v) => [v.group, v.snapshots])).toEqual([['pay', 4]]);
  });

  it('stores nothing when the cluster cannot be read, counts the failure and rethrows', async () => {
    const store = new ObservedSnapshotStore();
    const metrics = new RecordingMetrics();
    const collector = new ScriptedCollector(() => {
      throw new CollectorError('cluster prod: no broker reachable');
    });
    await expect(
      runCollection({ collector, store, metrics, logger: new RecordingLogger(), clock: () => 0 }, { cluster: CLUSTER, scheduledAt: T0 }),
    ).rejects.toBeInstanceOf(CollectorError);
    expect(await store.readRuns(CLUSTER)).toEqual([]);
    expect(metrics.all().find((m) => m.name === METRIC.CollectorFailures)?.value).toBe(1);
  });
});
