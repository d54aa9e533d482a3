// Self-health: lagwatch watching itself, alarms to the ops topic. A silent collector or evaluator
// must page someone — hence TreatMissingData BREACHING on the metrics that prove each one ran.
// Every alarm is named `<alarmNamePrefix>...`: the ops topic's policy and the key policy let
// CloudWatch publish only for alarms with that prefix (infra/constructs/alerting.ts).
// What each alarm means and what to do: docs/aws-deploy.md § "Self-health alarms".
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../../functions/core/metrics.js';

/** Intervals without a snapshot (or an evaluation) before the "not running" alarms fire. */
export const MISSED_SNAPSHOTS_TO_ALARM = 3;

interface AlarmSpec {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  readonly threshold?: number;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  readonly treatMissingData?: cloudwatch.TreatMissingData;
}

/** One ops alarm: by default "at least 1 in 2 of the last 3 periods", missing data not breaching;
 * reported to the ops topic when it fires and again when it clears. */
function opsAlarm(scope: Construct, opsTopic: sns.ITopic, spec: AlarmSpec): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, spec.id, {
    alarmName: spec.name,
    alarmDescription: spec.description,
    metric: spec.metric,
    threshold: spec.threshold ?? 1,
    comparisonOperator: spec.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: spec.evaluationPeriods ?? 3,
    datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods ?? 2,
    treatMissingData: spec.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const action = new actions.SnsAction(opsTopic);
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  return alarm;
}

function clusterMetric(clusterName: string, metricName: string, statistic: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [DIMENSION.Cluster]: clusterName },
    statistic,
    period,
  });
}

/** A dead-letter queue holding anything at all: something failed for good and waits for a person. */
function deadLetterAlarm(scope: Construct, opsTopic: sns.ITopic, id: string, name: string, what: string, queue: sqs.IQueue): cloudwatch.Alarm {
  return opsAlarm(scope, opsTopic, {
    id,
    name,
    description: `lagwatch: ${what} failed for good and waits in SQS queue ${queue.queueName} (see docs/aws-deploy.md)`,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
  });
}

export interface ClusterAlarmsProps {
  readonly clusterName: string;
  /** [A-Za-z0-9-] form of the cluster name, for alarm names. */
  readonly resourceName: string;
  readonly alarmNamePrefix: string;
  readonly collector: lambda.IFunction;
  readonly snapshotIntervalMs: number;
  readonly opsTopic: sns.ITopic;
  /** The cluster's `shards` (default 1): each shard writes one snapshot and completes one evaluation
   * per interval, into the same cluster metrics. */
  readonly shards?: number;
}

/** Per cluster: the collector failing or silent, the evaluator silent, alerts not going out. A
 * sharded cluster's shards publish their run metrics into the same per-cluster metrics: counters
 * add up by themselves, and the two "not running" alarms expect one data point per shard per
 * interval, so one silent shard alone trips them. */
export class CollectorAlarms extends Construct {
  readonly errors: cloudwatch.Alarm;
  readonly noSnapshots: cloudwatch.Alarm;
  readonly noEvaluations: cloudwatch.Alarm;
  readonly notificationFailures: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ClusterAlarmsProps) {
    super(scope, id);
    const period = Duration.millis(props.snapshotIntervalMs);
    const name = (what: string) => `${props.alarmNamePrefix}${what}-${props.resourceName}`;
    const cluster = props.clusterName;
    const shards = props.shards ?? 1;
    const silent = (what: string, harm: string) =>
      shards === 1
        ? `lagwatch ${what} no ${harm} of ${cluster} for ${MISSED_SNAPSHOTS_TO_ALARM} intervals`
        : `lagwatch ${what} fewer than ${shards} ${harm}s of ${cluster} (one per shard) in each of the last ${MISSED_SNAPSHOTS_TO_ALARM} intervals: a shard is silent`;
    this.errors = opsAlarm(this, props.opsTopic, {
      id: 'Errors',
      name: name('collector-errors'),
      description: `lagwatch collector for ${cluster} failed (Lambda error or cluster unreachable) in 2 of the last 3 runs`,
      metric: new cloudwatch.MathExpression({
        // CollectorFailures is only published when non-zero; a Lambda timeout shows only in Errors.
        expression: 'lambdaErrors + FILL(collectorFailures, 0)',
        usingMetrics: {
          lambdaErrors: props.collector.metricErrors({ period, statistic: 'Sum' }),
          collectorFailures: clusterMetric(cluster, METRIC.CollectorFailures, 'Sum', period),
        },
        period,
      }),
    });
    this.noSnapshots = opsAlarm(this, props.opsTopic, {
      id: 'NoSnapshots',
      name: name('no-snapshots'),
      description: `${silent('wrote', 'snapshot')}: lag is not being watched`,
      metric: clusterMetric(cluster, METRIC.SnapshotsWritten, 'Sum', period),
      // SnapshotsWritten is stamped with the scheduled time: exactly one per shard in each interval.
      threshold: shards,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: MISSED_SNAPSHOTS_TO_ALARM,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    // The evaluator's heartbeat: it publishes EvaluatorDurationMs once per completed evaluation of a
    // cluster, so its SampleCount is "evaluations completed". A crashed, throttled or untriggered
    // evaluator publishes nothing, and missing data breaches.
    this.noEvaluations = opsAlarm(this, props.opsTopic, {
      id: 'NoEvaluations',
      name: name('no-evaluations'),
      description: `${silent('completed', 'evaluation')}: no verdicts, no alerts`,
      metric: clusterMetric(cluster, METRIC.EvaluatorDurationMs, 'SampleCount', period),
      // One per shard per interval; a shard's evaluation landing just past a period boundary leaves
      // one period short and the next one over, never three short in a row.
      threshold: shards,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: MISSED_SNAPSHOTS_TO_ALARM,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    // A failed publish stays in the outbox and is retried every run; failing in 2 of 3 runs means
    // SNS (or the topic's key) is refusing the evaluator, not a blip.
    this.notificationFailures = opsAlarm(this, props.opsTopic, {
      id: 'NotificationFailures',
      name: name('notification-failures'),
      description: `lagwatch could not publish alerts of ${cluster} to SNS in 2 of the last 3 runs (they wait in the outbox)`,
      metric: clusterMetric(cluster, METRIC.NotificationFailures, 'Sum', period),
    });
  }
}

export interface EvaluatorAlarmsProps {
  readonly evaluator: lambda.IFunction;
  readonly alarmNamePrefix: string;
  readonly snapshotIntervalMs: number;
  readonly opsTopic: sns.ITopic;
  /** Stream batches the evaluator gave up on (the event source's on-failure destination). */
  readonly deadLetters: sqs.IQueue;
}

export class EvaluatorAlarms extends Construct {
  readonly errors: cloudwatch.Alarm;
  readonly iteratorAge: cloudwatch.Alarm;
  readonly deadLetters: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: EvaluatorAlarmsProps) {
    super(scope, id);
    const period = Duration.millis(props.snapshotIntervalMs);
    const prefix = props.alarmNamePrefix;
    this.errors = opsAlarm(this, props.opsTopic, {
      id: 'Errors',
      name: `${prefix}evaluator-errors`,
      description: 'lagwatch evaluator crashed or timed out in 2 of the last 3 intervals: verdicts and alerts are not going out',
      metric: props.evaluator.metricErrors({ period, statistic: 'Sum' }),
    });
    // The evaluator reads the newest run anyway, so a stream falling behind means it is failing
    // and retrying batches (or throttled), not merely slow.
    this.iteratorAge = opsAlarm(this, props.opsTopic, {
      id: 'IteratorAge',
      name: `${prefix}evaluator-stream-behind`,
      description: `lagwatch evaluator is more than ${MISSED_SNAPSHOTS_TO_ALARM} snapshot intervals behind the table stream`,
      metric: props.evaluator.metric('IteratorAge', { period, statistic: 'Maximum' }),
      threshold: MISSED_SNAPSHOTS_TO_ALARM * props.snapshotIntervalMs,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    this.deadLetters = deadLetterAlarm(this, props.opsTopic, 'DeadLetters', `${prefix}evaluator-dead-letters`, 'a stream batch of run records', props.deadLetters);
  }
}

export interface ForwarderAlarmsProps {
  readonly forwarder: lambda.IFunction;
  readonly alarmNamePrefix: string;
  readonly opsTopic: sns.ITopic;
  readonly deadLetters: sqs.IQueue;
}

/** The Slack webhook forwarder: failed posts (each one is an alert someone did not see in Slack). */
export class ForwarderAlarms extends Construct {
  readonly errors: cloudwatch.Alarm;
  readonly deadLetters: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ForwarderAlarmsProps) {
    super(scope, id);
    const prefix = props.alarmNamePrefix;
    this.errors = opsAlarm(this, props.opsTopic, {
      id: 'Errors',
      name: `${prefix}slack-forwarder-errors`,
      description: 'lagwatch Slack forwarder failed to post (Lambda retries it twice, then it goes to the dead-letter queue)',
      metric: props.forwarder.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
    this.deadLetters = deadLetterAlarm(this, props.opsTopic, 'DeadLetters', `${prefix}slack-forwarder-dead-letters`, 'a Slack post', props.deadLetters);
  }
}
