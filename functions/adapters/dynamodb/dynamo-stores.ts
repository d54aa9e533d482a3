// The snapshot and alert stores of one lagwatch table, built alike by the Lambdas
// (functions/composition.ts) and `lagwatch status` (functions/cli/status.ts).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '../../app/ports.js';
import { DynamoAlertStateStore } from './alert-state-store.js';
import { DynamoSnapshotStore } from './snapshot-store.js';

export interface DynamoStores {
  readonly snapshots: DynamoSnapshotStore;
  readonly alerts: DynamoAlertStateStore;
}

/** The snapshot and alert stores on one lagwatch table. */
export function createDynamoStores(
  client: DynamoDBDocumentClient,
  options: { readonly tableName: string; readonly retentionMs: number; readonly logger: Logger },
): DynamoStores {
  const { tableName, retentionMs, logger } = options;
  return {
    snapshots: new DynamoSnapshotStore(client, { tableName, retentionMs, logger }),
    alerts: new DynamoAlertStateStore(client, { tableName, logger }),
  };
}
