// One CloudWatch dashboard per cluster: groups by status over time, the top-10 lagging groups by
// offset lag and by time lag (Metrics Insights, so no group name is needed at deploy time), and the
// collector's own health. Metric names and dimensions come from functions/core/metrics.ts.
import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DEFAULT_METRICS_MAX_GROUPS, DEFAULT_METRICS_TOP_N } from '../../functions/core/metric-selection.js';
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../../functions/core/metrics.js';
import { allShards, shardLabel } from '../../functions/core/shard.js';

export interface ClusterDashboardProps {
  readonly clusterName: string;
  readonly dashboardName: string;
  readonly snapshotIntervalMs: number;
  readonly collector: lambda.IFunction;
  readonly evaluator: lambda.IFunction;
  /** The cluster's `shards` (default 1). Each shard publishes its own per-status counts (Shard
   * dimension); the graph adds the shards' latest counts up. */
  readonly shards?: number;
}

/** A Metrics Insights identifier (namespace, metric name, label key) in double quotes: `CLUSTER` is
 * on AWS's reserved-keyword list and `GROUP` is grammar, so an unquoted `Cluster` or `Group` label key
 * makes the widget show a query error. Quoting every identifier is always allowed. */
export function insightsIdentifier(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A label value in single quotes (the cluster name), with `'` and `\` escaped. */
function insightsString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `SELECT MAX("metric") FROM SCHEMA("Lagwatch", "Cluster", "Group") WHERE "Cluster" = '...' GROUP BY "Group" ORDER BY MAX() DESC LIMIT 10` */
export function topGroupsQuery(metric: string, clusterName: string): string {
  const id = insightsIdentifier;
  return (
    `SELECT MAX(${id(metric)}) FROM SCHEMA(${id(METRICS_NAMESPACE)}, ${id(DIMENSION.Cluster)}, ${id(DIMENSION.Group)}) ` +
    `WHERE ${id(DIMENSION.Cluster)} = ${insightsString(clusterName)} GROUP BY ${id(DIMENSION.Group)} ORDER BY MAX() DESC LIMIT ${DEFAULT_METRICS_TOP_N}`
  );
}

export function dashboardUrl(dashboardName: string): string {
  return `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${dashboardName}`;
}

export class ClusterDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ClusterDashboardProps) {
    super(scope, id);
    const period = Duration.millis(props.snapshotIntervalMs);
    const cluster = { [DIMENSION.Cluster]: props.clusterName };
    const metric = (metricName: string, statistic: string, extra: Record<string, string> = {}, label?: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { ...cluster, ...extra },
        statistic,
        period,
        ...(label === undefined ? {} : { label }),
      });

    const shards = allShards(props.shards ?? 1);
    // Groups of one status: the metric itself for one shard; for several, each shard's Maximum
    // (its count, even if it evaluated twice in a period) filled forward over a period its
    // evaluation landed just past, summed over the shards.
    const groupsWithStatus = (status: string): cloudwatch.IMetric => {
      if (shards.length === 1) return metric(METRIC.Groups, 'Maximum', { [DIMENSION.Status]: status }, status);
      const usingMetrics = Object.fromEntries(
        shards.map((shard) => [
          `${status.toLowerCase()}${shard.index}`,
          metric(METRIC.Groups, 'Maximum', { [DIMENSION.Shard]: shardLabel(shard), [DIMENSION.Status]: status }),
        ]),
      );
      return new cloudwatch.MathExpression({
        expression: Object.keys(usingMetrics).map((id) => `FILL(${id}, REPEAT)`).join(' + '),
        usingMetrics,
        label: status,
        period,
      });
    };

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          `# lagwatch — ${props.clusterName}\nConsumer-group verdicts per snapshot (Burrow rules). Top-10 charts use Metrics Insights over the last 3 hours. ` +
          `Per-group metrics: the top ${DEFAULT_METRICS_TOP_N} by lag and time lag, then the worst groups not OK, ${DEFAULT_METRICS_MAX_GROUPS} per run at most ` +
          `(${METRIC.GroupMetricsCapped} counts the rest); each alert message carries its group's figures.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Groups by status',
        width: 24,
        stacked: true,
        left: ['OK', 'WARNING', 'ERROR'].map((status) => groupsWithStatus(status)),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Top 10 groups by offset lag (messages)',
        width: 12,
        left: [
          new cloudwatch.MathExpression({
            expression: topGroupsQuery(METRIC.MaxLag, props.clusterName),
            label: 'max lag',
            period,
          }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Top 10 groups by time lag (seconds behind)',
        width: 12,
        left: [
          new cloudwatch.MathExpression({
            expression: topGroupsQuery(METRIC.MaxTimeLagSeconds, props.clusterName),
            label: 'time lag',
            period,
          }),
        ],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Collector duration (ms)',
        width: 8,
        left: [metric(METRIC.CollectorDurationMs, 'Maximum'), metric(METRIC.EvaluatorDurationMs, 'Maximum')],
      }),
      new cloudwatch.GraphWidget({
        title: 'Collector errors',
        width: 8,
        left: [
          metric(METRIC.CollectorFailures, 'Sum'),
          metric(METRIC.CollectorGroupFailures, 'Sum'),
          props.collector.metricErrors({ period, label: 'collector Lambda errors' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Snapshots, notifications, groups left out of metrics',
        width: 8,
        left: [
          metric(METRIC.SnapshotsWritten, 'Sum'),
          metric(METRIC.NotificationsSent, 'Sum'),
          metric(METRIC.NotificationFailures, 'Sum'),
          metric(METRIC.EvaluatorGroupFailures, 'Sum'),
          // Published only when non-zero: groups not OK over the cap, names CloudWatch cannot take (Sum: shards add up).
          metric(METRIC.GroupMetricsCapped, 'Sum'),
          metric(METRIC.MetricNamesSkipped, 'Sum'),
        ],
      }),
    );
  }
}
