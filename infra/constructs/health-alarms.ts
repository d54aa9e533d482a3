// Self-health: lagwatch watching itself, alarms to the ops topic. A silent collector must page
// someone — hence TreatMissingData BREACHING on SnapshotsWritten.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../../functions/core/metrics.js';

/** Intervals without a snapshot before the "no snapshots" alarm fires. */
export const MISSED_SNAPSHOTS_TO_ALARM = 3;

/** Failures in 2 of the last 3 runs, reported to the ops topic (and again when it clears). */
function failureAlarm(scope: Construct, description: string, metric: cloudwatch.IMetric, action: actions.SnsAction): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, 'Errors', {
    alarmDescription: description,
    metric,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  return alarm;
}

export interface CollectorAlarmsProps {
  readonly clusterName: string;
  readonly collector: lambda.IFunction;
  readonly snapshotIntervalMs: number;
  readonly opsTopic: sns.ITopic;
}

export class CollectorAlarms extends Construct {
  readonly errors: cloudwatch.Alarm;
  readonly noSnapshots: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: CollectorAlarmsProps) {
    super(scope, id);
    const period = Duration.millis(props.snapshotIntervalMs);
    const action = new actions.SnsAction(props.opsTopic);
    this.errors = failureAlarm(
      this,
      `lagwatch collector for ${props.clusterName} failed (Lambda error or cluster unreachable) in 2 of the last 3 runs`,
      new cloudwatch.MathExpression({
        // CollectorFailures is only published when non-zero; a Lambda timeout shows only in Errors.
        expression: 'lambdaErrors + FILL(collectorFailures, 0)',
        usingMetrics: {
          lambdaErrors: props.collector.metricErrors({ period, statistic: 'Sum' }),
          collectorFailures: new cloudwatch.Metric({
            namespace: METRICS_NAMESPACE,
            metricName: METRIC.CollectorFailures,
            dimensionsMap: { [DIMENSION.Cluster]: props.clusterName },
            statistic: 'Sum',
            period,
          }),
        },
        period,
      }),
      action,
    );
    this.noSnapshots = new cloudwatch.Alarm(this, 'NoSnapshots', {
      alarmDescription: `lagwatch wrote no snapshot of ${props.clusterName} for ${MISSED_SNAPSHOTS_TO_ALARM} intervals: lag is not being watched`,
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.SnapshotsWritten,
        dimensionsMap: { [DIMENSION.Cluster]: props.clusterName },
        statistic: 'Sum',
        period,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: MISSED_SNAPSHOTS_TO_ALARM,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.noSnapshots.addAlarmAction(action);
    this.noSnapshots.addOkAction(action);
  }
}

export interface EvaluatorAlarmsProps {
  readonly evaluator: lambda.IFunction;
  readonly snapshotIntervalMs: number;
  readonly opsTopic: sns.ITopic;
}

export class EvaluatorAlarms extends Construct {
  readonly errors: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: EvaluatorAlarmsProps) {
    super(scope, id);
    const period = Duration.millis(props.snapshotIntervalMs);
    const action = new actions.SnsAction(props.opsTopic);
    this.errors = failureAlarm(
      this,
      'lagwatch evaluator failed: verdicts and alerts are not going out',
      props.evaluator.metricErrors({ period, statistic: 'Sum' }),
      action,
    );
  }
}
