// Evaluator Lambda: runs when a collection's run record lands on the table stream.
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { runEvaluation } from '../app/evaluate.js';
import { evaluatorFromEnv } from '../composition.js';
import { runArrival, type RunArrival } from './events.js';
import { lambdaLogger } from './lambda-logger.js';

const log = lambdaLogger('lagwatch-evaluator');
const { logger } = log;
const app = evaluatorFromEnv(process.env, logger);

export async function handler(event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> {
  log.addContext(context);
  // The stream hands one run record per invocation (batch size 1), so one cluster has the whole
  // timeout; a batch of several still gets one evaluation per cluster (it reads the newest run anyway).
  const byCluster = new Map<string, RunArrival>();
  for (const arrival of event.Records.map(runArrival)) {
    if (arrival === null) continue;
    if (!app.clusters.has(arrival.cluster)) logger.warn('run record of a cluster this evaluator does not handle', { ...arrival });
    else if (!byCluster.has(arrival.cluster)) byCluster.set(arrival.cluster, arrival);
  }
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  for (const arrival of byCluster.values()) {
    try {
      const now = Date.now();
      const deadline = context ? now + context.getRemainingTimeInMillis() : undefined;
      await runEvaluation(app.depsFor(arrival.cluster), { cluster: arrival.cluster, now, ...(deadline === undefined ? {} : { deadline }) });
    } catch (error) {
      logger.error('evaluation failed; the stream retries it', { cluster: arrival.cluster, error: String(error) });
      batchItemFailures.push({ itemIdentifier: arrival.sequenceNumber });
    }
  }
  return { batchItemFailures };
}
