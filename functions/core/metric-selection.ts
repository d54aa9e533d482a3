// Which consumer groups publish their own CloudWatch metrics each run, and how many: custom metrics
// are the largest line of lagwatch's bill (docs/aws.md § Cost), so this is where it is bounded.
import { severityRank } from './group.js';
import type { Policy } from './policy.js';
import type { GroupVerdict } from './types.js';

export const MetricTier = {
  /** Opted in (`groupMetrics: 'always'`, or not OK with `partitionMetrics: true`): every group metric. */
  Detail: 'detail',
  /** The dashboard's top lagging groups and the worst groups not OK: MaxLag and MaxTimeLagSeconds only. */
  Ranking: 'ranking',
} as const;
export type MetricTier = (typeof MetricTier)[keyof typeof MetricTier];

/** The dashboard's top-N widgets show this many groups (Metrics Insights `LIMIT`). */
export const DEFAULT_METRICS_TOP_N = 10;
/** Ranking-tier groups per cluster and run, the top-N included: what bounds the bill in a large incident. */
export const DEFAULT_METRICS_MAX_GROUPS = 50;

export interface MetricSelection {
  readonly tiers: ReadonlyMap<string, MetricTier>;
  /** Groups not OK left out by `maxGroups` this run (published as GroupMetricsCapped). */
  readonly capped: number;
}

const maxLagOf = (v: GroupVerdict): bigint => v.maxLag?.lag ?? 0n;
const descending = (a: bigint, b: bigint): number => (a === b ? 0 : a < b ? 1 : -1);

/** Worst first: ERROR before WARNING, then the oldest unconsumed message, then offset lag, then name. */
function worstFirst(a: GroupVerdict, b: GroupVerdict): number {
  return (
    severityRank(b.status) - severityRank(a.status) ||
    b.maxTimeLag.seconds - a.maxTimeLag.seconds ||
    descending(maxLagOf(a), maxLagOf(b)) ||
    (a.group < b.group ? -1 : a.group > b.group ? 1 : 0)
  );
}

/**
 * Which groups get per-group metrics this run. CloudWatch bills a custom metric for every hour in
 * which it receives data ($0.30 a month for one sent all month), so a metric for every group is the
 * cost trap (5,000 groups × 4 ≈ $6,000/month). Detail: groups that opted in. Ranking: first the
 * cluster's `topN` groups by MaxLag and by MaxTimeLagSeconds (what the dashboard's top-N widgets
 * rank), then the worst groups not OK (`worstFirst`), up to `maxGroups` ranking groups in all; the
 * groups not OK left over are counted, not published. Healthy, quiet groups publish nothing of their
 * own: the cluster's per-status counts cover them, and every alert message carries its group's figures.
 */
export function selectMetricGroups(
  verdicts: readonly GroupVerdict[],
  policyFor: (group: string) => Policy,
  limits: { readonly topN: number; readonly maxGroups: number },
): MetricSelection {
  const live = verdicts.filter((v) => v.status !== 'NOTFOUND');
  const tiers = new Map<string, MetricTier>();
  for (const v of live) {
    const policy = policyFor(v.group);
    if (policy.groupMetrics === 'always' || (v.status !== 'OK' && policy.partitionMetrics)) tiers.set(v.group, MetricTier.Detail);
  }
  let ranking = 0;
  const rank = (v: GroupVerdict): void => {
    if (tiers.has(v.group)) return;
    tiers.set(v.group, MetricTier.Ranking);
    ranking++;
  };
  const lagging = live.filter((v) => v.totalLag > 0n);
  const byLag = [...lagging].sort((a, b) => descending(maxLagOf(a), maxLagOf(b)));
  const byTime = [...lagging].sort((a, b) => b.maxTimeLag.seconds - a.maxTimeLag.seconds);
  for (const v of [...byLag.slice(0, limits.topN), ...byTime.slice(0, limits.topN)]) rank(v);
  const notOk = live.filter((v) => v.status !== 'OK' && !tiers.has(v.group)).sort(worstFirst);
  const room = Math.max(0, limits.maxGroups - ranking);
  for (const v of notOk.slice(0, room)) rank(v);
  return { tiers, capped: Math.max(0, notOk.length - room) };
}
