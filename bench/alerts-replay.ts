// Replays one labelled trace through the backtest path (runBacktest → runEvaluation per stored run,
// in-memory alert state): the evaluator exactly as it runs live, with the default policy.
import { MemorySnapshotStore } from '../functions/adapters/local/memory-snapshot-store.js';
import { parsePolicyConfig } from '../functions/config/policy.js';
import { decideAlert, type AlertState } from '../functions/core/alert.js';
import type { Notification } from '../functions/core/notification.js';
import { resolvePolicy } from '../functions/core/policy.js';
import type { GroupVerdict } from '../functions/core/types.js';
import { runBacktest } from '../functions/local/backtest.js';
import { INTERVAL_MS, type AlertTrace } from './alert-traces.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

export async function replay(trace: AlertTrace): Promise<{ notifications: Notification[]; verdicts: { at: number; verdict: GroupVerdict | null }[] }> {
  const store = new MemorySnapshotStore();
  for (const run of trace.runs) await store.putSnapshot(run);
  const verdicts: { at: number; verdict: GroupVerdict | null }[] = [];
  const result = await runBacktest({
    store,
    cluster: trace.cluster,
    policy: parsePolicyConfig(trace.policy, `${trace.family} policy`, { snapshotIntervalMs: INTERVAL_MS }),
    intervalMs: INTERVAL_MS,
    logger: silent,
    onRun: (r) => verdicts.push({ at: r.now, verdict: r.verdicts.find((v) => v.group === trace.group) ?? null }),
  });
  return { notifications: result.notifications.filter((n) => n.group === trace.group), verdicts };
}


/** The same runs judged by Burrow's rules alone (each verdict's `burrowStatus`), through the same
 * alert lifecycle: the baseline bench:alerts --burrow prints next to lagwatch's verdict. */
export function burrowNotifications(trace: AlertTrace, verdicts: readonly { at: number; verdict: GroupVerdict | null }[]): Notification[] {
  const policy = resolvePolicy(parsePolicyConfig(trace.policy, `${trace.family} policy`, { snapshotIntervalMs: INTERVAL_MS }), trace.group);
  const sent: Notification[] = [];
  let state: AlertState | null = null;
  for (const { at, verdict } of verdicts) {
    const burrow = verdict === null ? null : { ...verdict, status: verdict.burrowStatus ?? verdict.status, stale: false };
    const decision = decideAlert({ previous: state, verdict: burrow, policy, now: at, dashboardUrl: null });
    if (decision.notification) sent.push(decision.notification);
    state = decision.next;
  }
  return sent;
}
