// The evaluator Lambda's (and local mode's) run over one cluster: judge every group from its window,
// decide the alert transition, claim it with a conditional write that also stores the message it
// must send (the outbox), then publish, then metrics. Every group's window comes from one store read
// per evaluation (openWindows), decoded one group at a time as it is judged.
//
// Every transition's message is sent at least once, never lost, and normally exactly once:
//  1. flush: a record still holding a pending message (a crash, timeout or failed publish after the
//     claim) is published first, then cleared; until it goes out, the group decides nothing new, so
//     messages keep their order.
//  2. claim: write the next state together with its message, conditional on the revision read and
//     on no newer run having decided. The run that loses the condition sends nothing.
//  3. publish, then clear the outbox (conditional on the revision just written).
// Closing an incident writes a tombstone, not a delete, so a late evaluator cannot reopen it.
// The rare duplicate: a run that published but crashed before clearing, or two runs flushing the
// same pending message at once (docs/aws.md § "Alert delivery").
//
// A sharded cluster (`shards` > 1) is evaluated one shard at a time, when that shard's run lands:
// only the shard's groups (by core/shard.ts) are judged, flushed or declared gone, from the shard's
// own runs; the other shards' alert records are not touched.
//
// Over 300 lines on purpose: the delivery protocol above (flush, claim, publish, clear) is one
// sequence of conditional writes whose order is the guarantee; split over files it reads as parts.
import type { Notification } from '../core/notification.js';
import { decideAlert } from '../core/alert.js';
import { errorSummary } from '../core/errors.js';
import { evaluateGroup, notFoundVerdict } from '../core/group.js';
import { evaluationMetrics, runMetrics } from '../core/metrics.js';
import { resolvePolicy, type Policy, type PolicyConfig } from '../core/policy.js';
import { inShard, isWholeCluster, shardLabel, WHOLE_CLUSTER, type Shard } from '../core/shard.js';
import type { GroupFailure, GroupVerdict } from '../core/types.js';
import type { AlertRecord, AlertStateStore, Logger, MetricsSink, Notifier, ShardScope, SnapshotStore, WindowSet } from './ports.js';
import { mapLimit } from './pool.js';
import { openWindows, windowSetOf } from './window-set.js';

export interface EvaluateDeps {
  readonly store: SnapshotStore;
  readonly alerts: AlertStateStore;
  readonly notifier: Notifier;
  readonly metrics: MetricsSink;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly policy: PolicyConfig;
  readonly snapshotIntervalMs: number;
  readonly dashboardUrl: string | null;
  /** Groups evaluated at once (each maybe a state write and a publish). */
  readonly concurrency?: number;
}

export interface EvaluationResult {
  readonly cluster: string;
  readonly now: number;
  /** Timestamp of the complete run the verdicts are based on; null when there is none yet. */
  readonly runTimestamp: number | null;
  /** True when the newest complete run is too old to judge from (collector down): nothing was decided. */
  readonly stale: boolean;
  readonly verdicts: GroupVerdict[];
  /** Messages handed to the notifier successfully. */
  readonly notifications: Notification[];
  /** Per-group failures (store, evaluation or publish); the other groups went on. */
  readonly failures: GroupFailure[];
  readonly notificationFailures: number;
  /** Transitions another evaluator run claimed first (it sends the message). */
  readonly lostClaims: string[];
  /** Groups not judged because the deadline was near; the next run judges them. */
  readonly deferred: string[];
  readonly metricsPublished: boolean;
  readonly durationMs: number;
  /** The shard evaluated; absent for the whole cluster. */
  readonly shard?: Shard;
}

/** Runs older than this many intervals are not judged: missing data must not read as stopped consumers. */
export const STALE_RUN_INTERVALS = 3;

/** How far back a group's window is read: its size plus two intervals of slack for late runs. */
export function windowStart(now: number, policy: Pick<Policy, 'windowSize'>, snapshotIntervalMs: number): number {
  return now - (policy.windowSize + 2) * snapshotIntervalMs;
}

/** The most runs any group needs: the largest window size among the defaults and overrides. */
export function largestWindow(config: PolicyConfig): number {
  return Math.max(config.defaults.windowSize, ...config.overrides.map((o) => o.windowSize ?? 0));
}

interface RunMembership {
  /** The run judged from; null when none may be (no run, or stale): then only outboxes are flushed. */
  readonly timestamp: number | null;
  readonly listed: ReadonlySet<string>;
  readonly failed: ReadonlySet<string>;
  /** Every group's snapshots, or why they could not be read (then no listed group is judged). */
  readonly windows: { readonly set: WindowSet } | { readonly error: string };
}

interface GroupOutcome {
  verdict: GroupVerdict | null;
  sent: Notification | null;
  failure: string | null;
  notificationFailed: boolean;
  lostClaim: boolean;
}

/** Time kept back at the end of an invocation for metrics and the return: no new group is judged
 * (no transition claimed) once the deadline is this close; those groups are judged by the next run. */
export const DEADLINE_RESERVE_MS = 5_000;

export async function runEvaluation(
  deps: EvaluateDeps,
  input: { cluster: string; now: number; /** deps.clock() time by which the invocation must end (Lambda's timeout). */ deadline?: number; /** The shard whose run landed; absent for the whole cluster. */ shard?: Shard },
): Promise<EvaluationResult> {
  const { cluster, now } = input;
  const shard = input.shard ?? WHOLE_CLUSTER;
  const whole = isWholeCluster(shard);
  const scope: ShardScope = whole ? {} : { shard };
  // Log fields: the shard named in the run's lines of a sharded evaluation.
  const where = whole ? { cluster } : { cluster, shard: shardLabel(shard) };
  const started = deps.clock();
  const [run, allRecords] = await Promise.all([deps.store.latestRun(cluster, scope), deps.alerts.list(cluster)]);
  // Only this shard's groups: another shard's open alert is never judged, flushed or called gone here.
  const records = whole ? allRecords : allRecords.filter((r) => inShard(r.group, shard));
  const recordByGroup = new Map(records.map((r) => [r.group, r]));
  const open = records.filter((r) => r.state !== null);
  const pending = records.filter((r) => r.pending !== null).map((r) => r.group);

  const stale = run === null || now - run.timestamp > STALE_RUN_INTERVALS * deps.snapshotIntervalMs;
  let groups: string[] = [];
  if (run === null) {
    deps.logger.warn('no complete collection run yet: nothing to evaluate', { ...where, openAlerts: open.length });
  } else if (stale) {
    deps.logger.error('the newest complete collection run is too old to judge from; is the collector failing?', {
      ...where,
      runTimestamp: run.timestamp,
      ageMs: now - run.timestamp,
    });
  } else {
    groups = [...new Set([...run.listedGroups, ...open.map((r) => r.group)])].sort();
  }
  // Messages already decided go out whatever this run can judge.
  groups = [...new Set([...groups, ...pending])].sort();

  let windows: RunMembership['windows'] = { set: windowSetOf(new Map()) };
  if (groups.length > 0) {
    const limit = largestWindow(deps.policy);
    try {
      const notBefore = windowStart(now, { windowSize: limit }, deps.snapshotIntervalMs);
      windows = { set: await openWindows(deps.store, cluster, { limit, now, notBefore, ...scope }) };
    } catch (error) {
      const failure = errorSummary(error);
      windows = { error: failure };
      deps.logger.error('could not read the snapshot windows; no listed group is judged this time', { ...where, error: failure });
    }
  }
  const membership: RunMembership = {
    timestamp: stale ? null : (run?.timestamp ?? null),
    listed: new Set(run?.listedGroups ?? []),
    failed: new Set(run?.failedGroups ?? []),
    windows,
  };
  const outcomes = new Map<string, GroupOutcome>();
  const deferred: string[] = [];
  await mapLimit(groups, deps.concurrency ?? 8, async (group) => {
    if (input.deadline !== undefined && deps.clock() > input.deadline - DEADLINE_RESERVE_MS) {
      deferred.push(group);
      return;
    }
    outcomes.set(group, await evaluateOneGroup(deps, cluster, group, membership, recordByGroup.get(group) ?? null, now));
  });
  deferred.sort();
  if (deferred.length > 0) {
    deps.logger.warn('the invocation is about to time out: these groups are left for the next run', { ...where, deferred: deferred.length, first: deferred[0] });
  }

  const verdicts: GroupVerdict[] = [];
  const notifications: Notification[] = [];
  const failures: GroupFailure[] = [];
  const lostClaims: string[] = [];
  let notificationFailures = 0;
  for (const group of groups) {
    const outcome = outcomes.get(group);
    if (!outcome) continue;
    if (outcome.verdict) verdicts.push(outcome.verdict);
    if (outcome.sent) notifications.push(outcome.sent);
    if (outcome.failure !== null) failures.push({ group, error: outcome.failure });
    if (outcome.notificationFailed) notificationFailures++;
    if (outcome.lostClaim) lostClaims.push(group);
  }

  const durationMs = deps.clock() - started;
  let metricsPublished = true;
  try {
    await deps.metrics.put([
      ...evaluationMetrics({ cluster, verdicts, policyFor: (group) => resolvePolicy(deps.policy, group), timestamp: now, ...scope }),
      ...runMetrics({
        cluster,
        stage: 'evaluator',
        durationMs,
        groupFailures: failures.length,
        timestamp: now,
        notificationsSent: notifications.length,
        notificationFailures,
      }),
    ]);
  } catch (error) {
    metricsPublished = false;
    deps.logger.error('could not publish evaluator metrics', { ...where, error: errorSummary(error) });
  }
  deps.logger.info('evaluation done', {
    ...where,
    groups: verdicts.length,
    notifications: notifications.length,
    failures: failures.length,
    durationMs,
  });
  return {
    cluster,
    now,
    runTimestamp: run?.timestamp ?? null,
    stale,
    verdicts,
    notifications,
    failures,
    notificationFailures,
    lostClaims,
    deferred,
    metricsPublished,
    durationMs,
    ...scope,
  };
}

async function evaluateOneGroup(
  deps: EvaluateDeps,
  cluster: string,
  group: string,
  run: RunMembership,
  stored: AlertRecord | null,
  now: number,
): Promise<GroupOutcome> {
  const outcome: GroupOutcome = { verdict: null, sent: null, failure: null, notificationFailed: false, lostClaim: false };
  try {
    let record = stored;
    if (record?.pending) {
      // 1. flush an earlier transition's message before deciding anything new.
      const flushed = await deliver(deps, record, outcome);
      if (flushed === null) return outcome;
      record = flushed;
    }
    if (run.timestamp === null) return outcome;
    if (run.failed.has(group)) {
      // Not gone: the collector could not read it this time. Keep its state until it can.
      deps.logger.warn('group failed collection in the latest run; not judged this time', { cluster, group });
      return outcome;
    }
    if (record !== null && record.runTimestamp > run.timestamp) {
      // A newer run already decided this group (this evaluator is late): leave it.
      outcome.lostClaim = true;
      deps.logger.info('a newer run already decided this group; not judged by this late evaluation', { cluster, group });
      return outcome;
    }
    const policy = resolvePolicy(deps.policy, group);
    const previous = record?.state ?? null;
    let verdict: GroupVerdict | null = null;
    if (run.listed.has(group)) {
      if ('error' in run.windows) {
        // Not gone either: keep its state until the windows can be read.
        outcome.failure = `could not read the snapshot windows: ${run.windows.error}`;
        return outcome;
      }
      // The read covers the largest window; this group's own window may start later.
      const notBefore = windowStart(now, policy, deps.snapshotIntervalMs);
      const snapshots = run.windows.set.take(group).filter((s) => s.timestamp >= notBefore);
      verdict =
        snapshots.length === 0
          ? notFoundVerdict(cluster, group, now)
          : evaluateGroup({ cluster, group, snapshots, policy, now, intervalMs: deps.snapshotIntervalMs, previous });
      outcome.verdict = verdict;
    }
    const decision = decideAlert({ previous, verdict, policy, now, dashboardUrl: deps.dashboardUrl });
    if (decision.next === previous && decision.notification === null) return outcome;
    // 2. claim: the new state and the message it must send, in one conditional write.
    const claimed: AlertRecord = {
      cluster,
      group,
      state: decision.next,
      revision: (record?.revision ?? 0) + 1,
      runTimestamp: run.timestamp,
      pending: decision.notification,
    };
    if (!(await deps.alerts.write(claimed, record?.revision ?? null))) {
      outcome.lostClaim = true;
      deps.logger.info('another evaluator run claimed this alert transition', { cluster, group });
      return outcome;
    }
    // 3. publish and clear the outbox.
    if (claimed.pending !== null) await deliver(deps, claimed, outcome);
  } catch (error) {
    outcome.failure = errorSummary(error);
    deps.logger.error('group evaluation failed', { cluster, group, error: outcome.failure });
  }
  return outcome;
}

/**
 * Publishes a record's pending message, then clears it (conditional on the record's revision).
 * Returns the cleared record, or null when the message is still pending (publish failed: the next
 * run retries it) or another run moved the record on meanwhile.
 */
async function deliver(deps: EvaluateDeps, record: AlertRecord, outcome: GroupOutcome): Promise<AlertRecord | null> {
  const { cluster, group, pending } = record;
  if (pending === null) return record;
  try {
    await deps.notifier.publish(pending);
  } catch (error) {
    outcome.notificationFailed = true;
    outcome.failure = `publish failed: ${errorSummary(error)}; the message stays in the outbox and is sent next run`;
    deps.logger.error('could not publish alert; it will be retried next run', { cluster, group, error: outcome.failure });
    return null;
  }
  outcome.sent = pending;
  const cleared: AlertRecord = { ...record, revision: record.revision + 1, pending: null };
  if (!(await deps.alerts.write(cleared, record.revision))) {
    deps.logger.info('alert record changed while its message was sent; the other run carries on', { cluster, group });
    return null;
  }
  return cleared;
}
