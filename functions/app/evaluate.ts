// The evaluator Lambda's (and local mode's) run over one cluster: judge every group from its window,
// decide the alert transition, claim it with a conditional state write, then publish, then metrics.
// Every group's window comes from one store read per evaluation (openWindows), decoded one group at
// a time as it is judged.
//
// Exactly one message per transition, even with two runs at once and a failing SNS:
//  1. claim: write the next state conditional on the version read (or remove it, same condition).
//     The run that loses the condition sends nothing — the winner owns the transition.
//  2. publish. If it fails, roll the state back (conditional on the version just written) so the
//     next run sees the old state, decides the same transition again and sends it then.
// The remaining gap: a crash between claim and publish loses that one message (at most once).
import type { AlertState, Notification } from '../core/alert.js';
import { decideAlert } from '../core/alert.js';
import { evaluateGroup, notFoundVerdict } from '../core/group.js';
import { evaluationMetrics, runMetrics } from '../core/metrics.js';
import { resolvePolicy, type Policy, type PolicyConfig } from '../core/policy.js';
import type { GroupFailure, GroupSnapshot, GroupVerdict } from '../core/types.js';
import type { AlertStateStore, Logger, MetricsSink, Notifier, SnapshotStore, WindowSet } from './ports.js';
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
  readonly metricsPublished: boolean;
  readonly durationMs: number;
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

export async function runEvaluation(deps: EvaluateDeps, input: { cluster: string; now: number }): Promise<EvaluationResult> {
  const { cluster, now } = input;
  const started = deps.clock();
  const [run, states] = await Promise.all([deps.store.latestRun(cluster), deps.alerts.list(cluster)]);
  const stateByGroup = new Map(states.map((s) => [s.group, s]));

  const stale = run === null || now - run.timestamp > STALE_RUN_INTERVALS * deps.snapshotIntervalMs;
  let groups: string[] = [];
  if (run === null) {
    deps.logger.warn('no complete collection run yet: nothing to evaluate', { cluster, openAlerts: states.length });
  } else if (stale) {
    deps.logger.error('the newest complete collection run is too old to judge from; is the collector failing?', {
      cluster,
      runTimestamp: run.timestamp,
      ageMs: now - run.timestamp,
    });
  } else {
    groups = [...new Set([...run.listedGroups, ...stateByGroup.keys()])].sort();
  }

  let windows: RunMembership['windows'] = { set: windowSetOf(new Map()) };
  if (groups.length > 0) {
    const limit = largestWindow(deps.policy);
    try {
      const notBefore = windowStart(now, { windowSize: limit }, deps.snapshotIntervalMs);
      windows = { set: await openWindows(deps.store, cluster, { limit, now, notBefore }) };
    } catch (error) {
      const failure = describe(error);
      windows = { error: failure };
      deps.logger.error('could not read the snapshot windows; no listed group is judged this time', { cluster, error: failure });
    }
  }
  const membership: RunMembership = { listed: new Set(run?.listedGroups ?? []), failed: new Set(run?.failedGroups ?? []), windows };
  const outcomes = new Map<string, GroupOutcome>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < groups.length) {
      const group = groups[next++];
      if (group === undefined) continue;
      outcomes.set(group, await evaluateOneGroup(deps, cluster, group, membership, stateByGroup.get(group) ?? null, now));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.concurrency ?? 8) }, worker));

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
      ...evaluationMetrics({ cluster, verdicts, policyFor: (group) => resolvePolicy(deps.policy, group), timestamp: now }),
      ...runMetrics({
        cluster,
        stage: 'evaluator',
        durationMs,
        failures: stale ? 1 : 0,
        groupFailures: failures.length,
        timestamp: now,
        notificationsSent: notifications.length,
        notificationFailures,
      }),
    ]);
  } catch (error) {
    metricsPublished = false;
    deps.logger.error('could not publish evaluator metrics', { cluster, error: describe(error) });
  }
  deps.logger.info('evaluation done', {
    cluster,
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
    metricsPublished,
    durationMs,
  };
}

async function evaluateOneGroup(
  deps: EvaluateDeps,
  cluster: string,
  group: string,
  run: RunMembership,
  previous: AlertState | null,
  now: number,
): Promise<GroupOutcome> {
  const outcome: GroupOutcome = { verdict: null, sent: null, failure: null, notificationFailed: false, lostClaim: false };
  if (run.failed.has(group)) {
    // Not gone: the collector could not read it this time. Keep its state until it can.
    deps.logger.warn('group failed collection in the latest run; not judged this time', { cluster, group });
    return outcome;
  }
  try {
    const policy = resolvePolicy(deps.policy, group);
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
    const changes = decision.next !== previous;
    if (changes) {
      const claimed =
        decision.next !== null
          ? await deps.alerts.put(decision.next, previous?.version ?? null)
          : previous !== null && (await deps.alerts.remove(cluster, group, previous.version));
      if (!claimed) {
        outcome.lostClaim = true;
        deps.logger.info('another evaluator run claimed this alert transition', { cluster, group });
        return outcome;
      }
    }
    if (decision.notification === null) return outcome;
    try {
      await deps.notifier.publish(decision.notification);
      outcome.sent = decision.notification;
    } catch (error) {
      outcome.notificationFailed = true;
      outcome.failure = `publish failed: ${describe(error)}`;
      if (changes) outcome.failure += await rollBack(deps, cluster, group, previous, decision.next);
      deps.logger.error('could not publish alert; it will be retried next run', { cluster, group, error: outcome.failure });
    }
  } catch (error) {
    outcome.failure = describe(error);
    deps.logger.error('group evaluation failed', { cluster, group, error: outcome.failure });
  }
  return outcome;
}

/** Puts the state back as it was before the claim, so the next run decides (and sends) the same
 * transition again. Conditional on the version this run wrote: if someone moved on since, leave it. */
async function rollBack(
  deps: EvaluateDeps,
  cluster: string,
  group: string,
  previous: AlertState | null,
  written: AlertState | null,
): Promise<string> {
  try {
    let restored: boolean;
    if (written !== null && previous === null) restored = await deps.alerts.remove(cluster, group, written.version);
    else if (written !== null && previous !== null) restored = await deps.alerts.put({ ...previous, version: written.version + 1 }, written.version);
    else if (previous !== null) restored = await deps.alerts.put({ ...previous, version: previous.version + 1 }, null);
    else restored = true;
    return restored ? '; state rolled back' : '; state changed meanwhile, not rolled back';
  } catch (error) {
    // The transition stays claimed: this one message is lost. Say so loudly.
    deps.logger.error('could not roll back the alert state; this alert message is lost', { cluster, group, error: describe(error) });
    return `; rollback failed (${describe(error)}): message lost`;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
