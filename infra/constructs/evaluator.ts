// The evaluator: outside any VPC, triggered by the table's stream when a collector run writes its
// run record (written last, so the snapshots it vouches for are all there). Why the stream and not
// a schedule or an async invoke: docs/aws-deploy.md § "Why the evaluator runs off the stream".
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLE } from '../../functions/adapters/dynamodb/table.js';
import { ENV } from '../../functions/config/env.js';
import { METRICS_NAMESPACE } from '../../functions/core/metrics.js';
import { deadLetterQueue } from './alerting.js';
import { grantPutMetrics } from './grants.js';
import { LagwatchFunction, type FunctionCode } from './lagwatch-function.js';

/** Run records' partition keys start with this (functions/adapters/dynamodb/table.ts keys.runPk). */
export const RUN_RECORD_PREFIX = 'R#';

export interface EvaluatorProps {
  readonly table: dynamodb.ITable;
  readonly alertTopic: sns.ITopic;
  readonly clusterNames: readonly string[];
  /** Cluster name → `shards`, for clusters split into more than one (the handler ignores runs of
   * another shard count); empty or absent when none is. */
  readonly clusterShards?: Readonly<Record<string, number>>;
  /** The policy as written in the config; the handler re-parses it at cold start. */
  readonly policySource: unknown;
  readonly snapshotIntervalMs: number;
  /** TTL of snapshot items (the store sets expiresAt from it). */
  readonly snapshotRetentionMs: number;
  /** Cluster name → dashboard URL, put in every alert. */
  readonly dashboardUrls: Readonly<Record<string, string>>;
  readonly code: FunctionCode;
  readonly logRetentionDays: logs.RetentionDays;
  /** Encrypts the dead-letter queue of stream batches the evaluator gives up on. */
  readonly deadLetterKey: kms.IKey;
  /** Sized from the largest cluster (evaluatorMemoryMb). */
  readonly memorySize: number;
}

export class Evaluator extends Construct {
  readonly function: LagwatchFunction;
  /** Where Lambda puts a stream batch (its shard and sequence numbers) after the last retry. */
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: EvaluatorProps) {
    super(scope, id);
    this.function = new LagwatchFunction(this, 'Function', {
      entry: 'functions/handlers/evaluator.ts',
      description: 'lagwatch evaluator: sliding-window rules, alerts and metrics after each snapshot',
      code: props.code,
      environment: {
        [ENV.policyConfig]: JSON.stringify(props.policySource ?? {}),
        [ENV.tableName]: props.table.tableName,
        [ENV.alertTopicArn]: props.alertTopic.topicArn,
        [ENV.metricsNamespace]: METRICS_NAMESPACE,
        [ENV.snapshotIntervalMs]: String(props.snapshotIntervalMs),
        [ENV.snapshotRetentionMs]: String(props.snapshotRetentionMs),
        [ENV.clusterNames]: props.clusterNames.join(','),
        [ENV.dashboardUrl]: JSON.stringify(props.dashboardUrls),
        ...(Object.keys(props.clusterShards ?? {}).length > 0 ? { [ENV.clusterShards]: JSON.stringify(props.clusterShards) } : {}),
      },
      timeout: Duration.seconds(60),
      memorySize: props.memorySize,
      logRetentionDays: props.logRetentionDays,
      configKey: 'policy',
    });
    const fn = this.function.function;
    // Reads windows and run records, writes alert state (conditional writes).
    props.table.grantReadWriteData(fn);
    props.alertTopic.grantPublish(fn);
    grantPutMetrics(fn);
    this.deadLetters = deadLetterQueue(this, 'DeadLetters', props.deadLetterKey);
    fn.addEventSource(
      new sources.DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.LATEST,
        // One run record, so one cluster (or one shard of it), per invocation: clusters never share a
        // deadline. The record's key names the shard (R#<cluster>#<i>of<n>); the handler reads it.
        batchSize: 1,
        // Only run records start an evaluation; snapshot and alert-state writes are filtered out
        // by Lambda before any invocation (and cost nothing).
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.or('INSERT', 'MODIFY'),
            dynamodb: { Keys: { [TABLE.partitionKey]: { S: lambda.FilterRule.beginsWith(RUN_RECORD_PREFIX) } } },
          }),
        ],
        reportBatchItemFailures: true,
        // A run that still fails after this is superseded by the next run a minute later.
        retryAttempts: 2,
        maxRecordAge: Duration.minutes(10),
        bisectBatchOnError: true,
        // A poison run record then waits here (with its sequence numbers) and alarms, instead of
        // being retried silently until it expires.
        onFailure: new sources.SqsDlq(this.deadLetters),
      }),
    );
  }
}
