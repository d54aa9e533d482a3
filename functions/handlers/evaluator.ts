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
  // One evaluation per cluster per batch: it reads the newest complete run anyway.
  const byCluster = new Map<string, RunArrival>();
  for (const arrival of event.Records.map(runArrival)) {
    if (arrival === null) continue;
    if (!app.clusters.has(arrival.cluster)) logger.warn('run record of a cluster this evaluator does not handle', { ...arrival });
    else if (!byCluster.has(arrival.cluster)) byCluster.set(arrival.cluster, arrival);
  }
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  for (const arrival of byCluster.values()) {
    try {
      await runEvaluation(app.depsFor(arrival.cluster), { cluster: arrival.cluster, now: Date.now() });
    } catch (error) {
      logger.error('evaluation failed; the stream retries it', { cluster: arrival.cluster, error: String(error) });
      batchItemFailures.push({ itemIdentifier: arrival.sequenceNumber });
    }
  }
  return { batchItemFailures };
}
