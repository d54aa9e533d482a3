// CloudWatch-shaped metric data, built from verdicts. Pure: the CloudWatch adapter only batches and sends.
// Which groups publish (and why that is the bill) is core/metric-selection.ts.
import { dimensionValue } from './dimension-value.js';
import { rollUp, type RollUp } from './group.js';
import { DEFAULT_METRICS_MAX_GROUPS, DEFAULT_METRICS_TOP_N, MetricTier, selectMetricGroups } from './metric-selection.js';
import { toMetricNumber } from './offsets.js';
import type { Policy } from './policy.js';
import { isWholeCluster, shardLabel, WHOLE_CLUSTER, type Shard } from './shard.js';
import type { GroupStatus, GroupVerdict, PartitionVerdict } from './types.js';
export const MetricUnit = {
  Count: 'Count',
  Seconds: 'Seconds',
  Milliseconds: 'Milliseconds',
  None: 'None',
} as const;
export type MetricUnit = (typeof MetricUnit)[keyof typeof MetricUnit];

export interface MetricDatum {
  readonly name: string;
  /** Dimension name → value, e.g. { Cluster, Group, Topic }. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Always finite and >= 0. */
  readonly value: number;
  readonly unit: MetricUnit;
  readonly timestamp: number;
}

/** The CloudWatch namespace and metric names: one list shared by the evaluator, the dashboard and the alarms. */
export const METRICS_NAMESPACE = 'Lagwatch';

export const METRIC = {
  // Per (Cluster, Group, Topic) and per (Cluster, Group).
  MaxLag: 'MaxLag',
  TotalLag: 'TotalLag',
  MaxTimeLagSeconds: 'MaxTimeLagSeconds',
  /** 0 OK, 1 WARNING, 2 ERROR. */
  Status: 'Status',
  // Per (Cluster, Group, Topic, Partition), only for groups whose policy opts in.
  PartitionLag: 'PartitionLag',
  PartitionTimeLagSeconds: 'PartitionTimeLagSeconds',
  // Per (Cluster, Status).
  Groups: 'Groups',
  // Per (Cluster). Counters of failures and notifications are published only when non-zero.
  CollectorDurationMs: 'CollectorDurationMs',
  CollectorFailures: 'CollectorFailures',
  CollectorGroupFailures: 'CollectorGroupFailures',
  /** 1 per stored collection run (always published: the "no snapshot" alarm needs the data). */
  SnapshotsWritten: 'SnapshotsWritten',
  EvaluatorDurationMs: 'EvaluatorDurationMs',
  EvaluatorGroupFailures: 'EvaluatorGroupFailures',
  NotificationsSent: 'NotificationsSent',
  NotificationFailures: 'NotificationFailures',
  /** Groups or topics left out of this run's metrics because their names cannot be dimension values. */
  MetricNamesSkipped: 'MetricNamesSkipped',
  /** Groups not OK whose per-group metrics the per-cluster cap left out this run (selectMetricGroups). */
  GroupMetricsCapped: 'GroupMetricsCapped',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

export const DIMENSION = {
  Cluster: 'Cluster',
  Group: 'Group',
  Topic: 'Topic',
  Partition: 'Partition',
  Status: 'Status',
  /** On the per-status group counts of a sharded cluster only (shardLabel, e.g. `1of4`): each shard
   * counts its own groups, and the dashboard adds the shards up. */
  Shard: 'Shard',
} as const;

const STATUS_VALUE: Record<'OK' | 'WARNING' | 'ERROR', number> = { OK: 0, WARNING: 1, ERROR: 2 };

function statusValue(status: GroupStatus): number {
  return status === 'WARNING' || status === 'ERROR' ? STATUS_VALUE[status] : 0;
}

function finite(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** What the lag metrics read: a group's roll-up (its verdict, core/group.ts) or one topic's (`rollUp`). */
type LagRollUp = Pick<RollUp, 'status' | 'totalLag' | 'maxLag' | 'maxTimeLag'>;

/** The pair the dashboard's top-N widgets rank groups by: what every published group sends. */
function rankingPair(dimensions: Record<string, string>, r: LagRollUp, timestamp: number): [MetricDatum, MetricDatum] {
  return [
    { name: METRIC.MaxLag, dimensions, value: toMetricNumber(r.maxLag?.lag ?? 0n), unit: MetricUnit.Count, timestamp },
    { name: METRIC.MaxTimeLagSeconds, dimensions, value: finite(r.maxTimeLag.seconds), unit: MetricUnit.Seconds, timestamp },
  ];
}

function lagMetrics(dimensions: Record<string, string>, r: LagRollUp, timestamp: number): MetricDatum[] {
  const [maxLag, maxTimeLag] = rankingPair(dimensions, r, timestamp);
  return [
    maxLag,
    { name: METRIC.TotalLag, dimensions, value: toMetricNumber(r.totalLag), unit: MetricUnit.Count, timestamp },
    maxTimeLag,
    { name: METRIC.Status, dimensions, value: statusValue(r.status), unit: MetricUnit.None, timestamp },
  ];
}

interface Shaped {
  readonly metrics: MetricDatum[];
  /** Names (the group's or a topic's) left out because they cannot be dimension values. */
  readonly skipped: number;
}

/**
 * Every metric of one group: per group; per (group, topic) when the group reads more than one topic
 * (for one topic they would repeat the group's, at the same price); per partition when the policy opts in.
 */
function shapeGroupMetrics(verdict: GroupVerdict, policy: Policy): Shaped {
  if (verdict.status === 'NOTFOUND') return { metrics: [], skipped: 0 };
  const group = dimensionValue(verdict.group);
  if (group === null) return { metrics: [], skipped: 1 };
  const timestamp = verdict.evaluatedAt;
  const base = { [DIMENSION.Cluster]: verdict.cluster, [DIMENSION.Group]: group };
  const metrics = lagMetrics(base, verdict, timestamp);
  const topics = new Map<string, PartitionVerdict[]>();
  for (const p of verdict.partitions) {
    const list = topics.get(p.topic);
    if (list === undefined) topics.set(p.topic, [p]);
    else list.push(p);
  }
  const perTopic = topics.size > 1;
  if (!perTopic && !policy.partitionMetrics) return { metrics, skipped: 0 };
  const topicValues = new Map([...topics.keys()].map((name) => [name, dimensionValue(name)]));
  const skipped = [...topicValues.values()].filter((v) => v === null).length;
  if (perTopic) {
    // Which topic holds the lag: MaxLag per topic; all four only when the policy asks for every metric.
    const full = policy.groupMetrics === 'always';
    for (const [name, partitions] of topics) {
      const topic = topicValues.get(name);
      if (topic == null) continue;
      const shaped = lagMetrics({ ...base, [DIMENSION.Topic]: topic }, rollUp(partitions), timestamp);
      metrics.push(...(full ? shaped : shaped.filter((m) => m.name === METRIC.MaxLag)));
    }
  }
  if (policy.partitionMetrics) {
    for (const p of verdict.partitions) {
      const topic = topicValues.get(p.topic);
      if (p.lag === null || topic == null) continue;
      const dimensions = { ...base, [DIMENSION.Topic]: topic, [DIMENSION.Partition]: String(p.partition) };
      metrics.push(
        { name: METRIC.PartitionLag, dimensions, value: toMetricNumber(p.lag), unit: MetricUnit.Count, timestamp },
        { name: METRIC.PartitionTimeLagSeconds, dimensions, value: finite(p.timeLag.seconds), unit: MetricUnit.Seconds, timestamp },
      );
    }
  }
  return { metrics, skipped };
}

/** Every metric of one group (see shapeGroupMetrics); names CloudWatch cannot take are left out. */
export function groupMetrics(verdict: GroupVerdict, policy: Policy): MetricDatum[] {
  return shapeGroupMetrics(verdict, policy).metrics;
}

/** The ranking pair of one group (see rankingPair). */
function rankingMetrics(verdict: GroupVerdict): Shaped {
  const group = dimensionValue(verdict.group);
  if (group === null) return { metrics: [], skipped: 1 };
  const dimensions = { [DIMENSION.Cluster]: verdict.cluster, [DIMENSION.Group]: group };
  return { metrics: rankingPair(dimensions, verdict, verdict.evaluatedAt), skipped: 0 };
}

/** Groups per status for one cluster, or for one shard of it (zeros included, so graphs have no
 * gaps). A shard's counts carry its Shard dimension: in one shared metric, the shards' counts would
 * land as separate data points of the same period, and no statistic but a per-shard one summed
 * gives the cluster's count (the dashboard sums each shard's Maximum). */
export function clusterMetrics(cluster: string, verdicts: readonly GroupVerdict[], timestamp: number, shard: Shard = WHOLE_CLUSTER): MetricDatum[] {
  const counts: Record<'OK' | 'WARNING' | 'ERROR', number> = { OK: 0, WARNING: 0, ERROR: 0 };
  for (const v of verdicts) if (v.status !== 'NOTFOUND') counts[v.status]++;
  const where: Record<string, string> = { [DIMENSION.Cluster]: cluster };
  if (!isWholeCluster(shard)) where[DIMENSION.Shard] = shardLabel(shard);
  return (Object.keys(counts) as (keyof typeof counts)[]).map((status) => ({
    name: METRIC.Groups,
    dimensions: { ...where, [DIMENSION.Status]: status },
    value: counts[status],
    unit: MetricUnit.Count,
    timestamp,
  }));
}

interface RunMetricsBase {
  readonly cluster: string;
  readonly durationMs: number;
  readonly groupFailures: number;
  readonly timestamp: number;
}

/** Each stage names only the counters it publishes (a run failure is a collector metric only). */
export type RunMetricsInput =
  | (RunMetricsBase & { readonly stage: 'collector'; readonly failures: number; readonly snapshotsWritten?: number })
  | (RunMetricsBase & { readonly stage: 'evaluator'; readonly notificationsSent?: number; readonly notificationFailures?: number });

/**
 * Self-health of one collector or evaluator run. Durations and SnapshotsWritten every run; counters
 * of failures and notifications only when non-zero (a metric costs the same for a zero, and the
 * alarms treat missing data as none).
 */
export function runMetrics(input: RunMetricsInput): MetricDatum[] {
  const dimensions = { [DIMENSION.Cluster]: input.cluster };
  const { timestamp } = input;
  const datum = (name: MetricName, value: number, unit: MetricUnit): MetricDatum => ({ name, dimensions, value: finite(value), unit, timestamp });
  const counter = (name: MetricName, value: number | undefined): MetricDatum[] =>
    finite(value ?? 0) > 0 ? [datum(name, value ?? 0, MetricUnit.Count)] : [];
  if (input.stage === 'collector') {
    return [
      datum(METRIC.CollectorDurationMs, input.durationMs, MetricUnit.Milliseconds),
      datum(METRIC.SnapshotsWritten, input.snapshotsWritten ?? 0, MetricUnit.Count),
      ...counter(METRIC.CollectorFailures, input.failures),
      ...counter(METRIC.CollectorGroupFailures, input.groupFailures),
    ];
  }
  return [
    datum(METRIC.EvaluatorDurationMs, input.durationMs, MetricUnit.Milliseconds),
    ...counter(METRIC.EvaluatorGroupFailures, input.groupFailures),
    ...counter(METRIC.NotificationsSent, input.notificationsSent),
    ...counter(METRIC.NotificationFailures, input.notificationFailures),
  ];
}

/** A per-cluster counter of this run, published only when non-zero. */
function clusterCounter(cluster: string, name: MetricName, value: number, timestamp: number): MetricDatum[] {
  return value > 0 ? [{ name, dimensions: { [DIMENSION.Cluster]: cluster }, value, unit: MetricUnit.Count, timestamp }] : [];
}

/** Everything one evaluation run publishes for a cluster (or one shard of it): status counts plus
 * the selected groups. Per-group metrics carry no shard: a group is in one shard at a time. With
 * shards, topN and maxGroups apply per shard, so the dashboard's top 10 ranks over every shard's
 * top 10; each shard's counters land as one data point a period (the dashboard sums them). */
export function evaluationMetrics(input: {
  readonly cluster: string;
  readonly verdicts: readonly GroupVerdict[];
  readonly policyFor: (group: string) => Policy;
  readonly timestamp: number;
  readonly topN?: number;
  readonly maxGroups?: number;
  readonly shard?: Shard;
}): MetricDatum[] {
  const { cluster, timestamp } = input;
  const { tiers, capped } = selectMetricGroups(input.verdicts, input.policyFor, {
    topN: input.topN ?? DEFAULT_METRICS_TOP_N,
    maxGroups: input.maxGroups ?? DEFAULT_METRICS_MAX_GROUPS,
  });
  const metrics = clusterMetrics(cluster, input.verdicts, timestamp, input.shard);
  let skipped = 0;
  for (const v of input.verdicts) {
    const tier = tiers.get(v.group);
    if (tier === undefined) continue;
    const shaped = tier === MetricTier.Detail ? shapeGroupMetrics(v, input.policyFor(v.group)) : rankingMetrics(v);
    metrics.push(...shaped.metrics);
    skipped += shaped.skipped;
  }
  metrics.push(...clusterCounter(cluster, METRIC.MetricNamesSkipped, skipped, timestamp), ...clusterCounter(cluster, METRIC.GroupMetricsCapped, capped, timestamp));
  return metrics;
}
