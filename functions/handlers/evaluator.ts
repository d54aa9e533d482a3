// Evaluator Lambda: runs when a collection's run record lands on the table stream.
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { runEvaluation } from '../app/evaluate.js';
import { evaluatorFromEnv } from '../composition.js';
import { shardLabel, WHOLE_CLUSTER } from '../core/shard.js';
import { runArrival, type RunArrival } from './events.js';
import { lambdaLogger } from './lambda-logger.js';

const log = lambdaLogger('lagwatch-evaluator');
const { logger } = log;
const app = evaluatorFromEnv(process.env, logger);

export async function handler(event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> {
  log.addContext(context);
  // The stream hands one run record per invocation (batch size 1), so one cluster (or one shard of
  // it) has the whole timeout; a batch of several still gets one evaluation per cluster and shard
  // (it reads the newest run anyway).
  const byShard = new Map<string, RunArrival>();
  for (const arrival of event.Records.map(runArrival)) {
    if (arrival === null) continue;
    const shard = arrival.shard ?? WHOLE_CLUSTER;
    if (!app.clusters.has(arrival.cluster)) logger.warn('run record of a cluster this evaluator does not handle', { ...arrival });
    else if (shard.count !== app.shardsOf(arrival.cluster)) {
      // A run of another shard count (a collector still on the previous `shards` while a deploy
      // changes it): its groups are split differently, so it is not judged; the new shards' runs are.
      logger.warn('run record of another shard count than the config; not evaluated (resharding in progress?)', {
        cluster: arrival.cluster,
        shard: shardLabel(shard),
        shards: app.shardsOf(arrival.cluster),
      });
    } else {
      const key = `${arrival.cluster}\u0000${shardLabel(shard)}`;
      if (!byShard.has(key)) byShard.set(key, arrival);
    }
  }
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  for (const arrival of byShard.values()) {
    try {
      const now = Date.now();
      const deadline = context ? now + context.getRemainingTimeInMillis() : undefined;
      await runEvaluation(app.depsFor(arrival.cluster), {
        cluster: arrival.cluster,
        now,
        ...(deadline === undefined ? {} : { deadline }),
        ...(arrival.shard === undefined ? {} : { shard: arrival.shard }),
      });
    } catch (error) {
      const shard = arrival.shard === undefined ? {} : { shard: shardLabel(arrival.shard) };
      logger.error('evaluation failed; the stream retries it', { cluster: arrival.cluster, ...shard, error: String(error) });
      batchItemFailures.push({ itemIdentifier: arrival.sequenceNumber });
    }
  }
  return { batchItemFailures };
}
