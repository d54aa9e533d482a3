// Collector Lambda: one snapshot of one cluster per scheduled run (EventBridge Scheduler).
import { runCollection, type CollectionResult } from '../app/collect.js';
import { collectorFromEnv } from '../composition.js';
import { scheduledRun } from './events.js';

// Cold start: a bad environment fails here, naming the variable.
const app = collectorFromEnv(process.env);

export async function handler(event: unknown): Promise<CollectionResult> {
  // The scheduled time is the snapshot id: a retried run overwrites its own snapshot.
  const run = scheduledRun(event, app.cluster.name);
  return runCollection(app.deps, { cluster: run.cluster, scheduledAt: run.scheduledAt });
}
