// The whole deployment: one table, one alerting construct, a collector + dashboard + alarms per
// cluster, one evaluator. Composes constructs only; the config arrives typed through props.
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { snapshotRetentionMs } from '../functions/adapters/dynamodb/table.js';
import type { AppConfig } from '../functions/config/app-config.js';
import { evaluatorMemoryMb } from '../functions/config/deployment.js';
import { shardCount } from '../functions/config/cluster.js';
import { Alerting } from './constructs/alerting.js';
import { ClusterDashboard, dashboardUrl } from './constructs/cluster-dashboard.js';
import { Collector } from './constructs/collector.js';
import { Evaluator } from './constructs/evaluator.js';
import { CollectorAlarms, EvaluatorAlarms, ForwarderAlarms } from './constructs/health-alarms.js';
import type { FunctionCode } from './constructs/lagwatch-function.js';
import { SnapshotTable } from './constructs/snapshot-table.js';

export interface LagwatchStackProps extends StackProps {
  readonly config: AppConfig;
  /** `esbuild` for deploys; tests about wiring may pass `inline-stub` (see lagwatch-function.ts). */
  readonly code?: FunctionCode;
}

export class LagwatchStack extends Stack {
  readonly table: SnapshotTable;
  readonly alerting: Alerting;
  readonly collectors: ReadonlyMap<string, Collector>;
  readonly evaluator: Evaluator;
  readonly dashboards: ReadonlyMap<string, ClusterDashboard>;

  constructor(scope: Construct, id: string, props: LagwatchStackProps) {
    super(scope, id, props);
    const { config } = props;
    const code = props.code ?? 'esbuild';
    const logRetentionDays = config.logRetentionDays as logs.RetentionDays;
    // Snapshots live as long as the largest window any group may use, plus the store's margin.
    const largestWindow = Math.max(
      config.policy.defaults.windowSize,
      ...config.policy.overrides.map((o) => o.windowSize ?? 0),
    );
    const retentionMs = snapshotRetentionMs(largestWindow, config.snapshotIntervalMs);
    const alarmNamePrefix = `${config.stackName}-`;

    this.table = new SnapshotTable(this, 'Snapshots');
    this.alerting = new Alerting(this, 'Alerting', {
      teams: config.teams,
      opsEmails: config.opsEmails,
      slack: config.slack,
      namePrefix: config.stackName,
      alarmNamePrefix,
      code,
      logRetentionDays,
    });

    const dashboardNames = new Map(
      config.clusters.map((c) => [c.connection.name, `${config.dashboardName}-${c.resourceName}`] as const),
    );
    this.evaluator = new Evaluator(this, 'Evaluator', {
      table: this.table.table,
      alertTopic: this.alerting.alertTopic,
      clusterNames: config.clusters.map((c) => c.connection.name),
      clusterShards: Object.fromEntries(
        config.clusters.filter((c) => shardCount(c.connection) > 1).map((c) => [c.connection.name, shardCount(c.connection)]),
      ),
      policySource: config.policySource,
      snapshotIntervalMs: config.snapshotIntervalMs,
      snapshotRetentionMs: retentionMs,
      dashboardUrls: Object.fromEntries([...dashboardNames].map(([cluster, name]) => [cluster, dashboardUrl(name)])),
      code,
      logRetentionDays,
      deadLetterKey: this.alerting.key,
      // One invocation judges one shard: a sharded cluster's share of its partitions is what counts.
      memorySize: evaluatorMemoryMb(Math.max(...config.clusters.map((c) => Math.ceil(c.expectedPartitions / shardCount(c.connection))))),
    });
    new EvaluatorAlarms(this, 'EvaluatorAlarms', {
      evaluator: this.evaluator.function.function,
      alarmNamePrefix,
      snapshotIntervalMs: config.snapshotIntervalMs,
      opsTopic: this.alerting.opsTopic,
      deadLetters: this.evaluator.deadLetters,
    });
    if (this.alerting.slackForwarder !== null && this.alerting.forwarderDeadLetters !== null) {
      new ForwarderAlarms(this, 'ForwarderAlarms', {
        forwarder: this.alerting.slackForwarder.function,
        alarmNamePrefix,
        opsTopic: this.alerting.opsTopic,
        deadLetters: this.alerting.forwarderDeadLetters,
      });
    }

    const collectors = new Map<string, Collector>();
    const dashboards = new Map<string, ClusterDashboard>();
    config.clusters.forEach((cluster, index) => {
      const name = cluster.connection.name;
      const collector = new Collector(this, `Collector-${cluster.resourceName}`, {
        cluster,
        configKey: `clusters[${index}]`,
        table: this.table.table,
        snapshotIntervalMs: config.snapshotIntervalMs,
        snapshotRetentionMs: retentionMs,
        code,
        logRetentionDays,
      });
      collectors.set(name, collector);
      new CollectorAlarms(this, `CollectorAlarms-${cluster.resourceName}`, {
        clusterName: name,
        resourceName: cluster.resourceName,
        alarmNamePrefix,
        collector: collector.function.function,
        snapshotIntervalMs: config.snapshotIntervalMs,
        opsTopic: this.alerting.opsTopic,
        shards: shardCount(cluster.connection),
      });
      const dashboardName = dashboardNames.get(name) ?? `${config.dashboardName}-${cluster.resourceName}`;
      dashboards.set(
        name,
        new ClusterDashboard(this, `Dashboard-${cluster.resourceName}`, {
          clusterName: name,
          dashboardName,
          snapshotIntervalMs: config.snapshotIntervalMs,
          collector: collector.function.function,
          evaluator: this.evaluator.function.function,
          shards: shardCount(cluster.connection),
        }),
      );
      new CfnOutput(this, `DashboardUrl-${cluster.resourceName}`, { value: dashboardUrl(dashboardName) });
    });
    this.collectors = collectors;
    this.dashboards = dashboards;

    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alerting.alertTopic.topicArn });
    new CfnOutput(this, 'OpsTopicArn', { value: this.alerting.opsTopic.topicArn });
  }
}
