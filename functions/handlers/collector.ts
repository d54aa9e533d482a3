// Collector Lambda: one snapshot of one cluster (or of one shard of it) per scheduled run (EventBridge Scheduler).
import type { Context } from 'aws-lambda';
import { runCollection, type CollectionResult } from '../app/collect.js';
import { collectorFromEnv } from '../composition.js';
import { shardCount } from '../config/cluster.js';
import { scheduledRun } from './events.js';
import { lambdaLogger } from './lambda-logger.js';

const log = lambdaLogger('lagwatch-collector');
// Cold start: a bad environment fails here, naming the variable.
const app = collectorFromEnv(process.env, log.logger);

export async function handler(event: unknown, context?: Context): Promise<CollectionResult> {
  log.addContext(context);
  // The scheduled time is the snapshot id: a retried run overwrites its own snapshot.
  const run = scheduledRun(event, app.cluster.name, shardCount(app.cluster));
  return runCollection(app.deps, run);
}
