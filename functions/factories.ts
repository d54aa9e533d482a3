// The adapters every entry builds the same way, so each is wired in one place: the Lambda
// composition root (composition.ts), local mode (local/local-mode.ts) and the CLI (cli/snapshot.ts,
// cli/status.ts) call these. The Slack forwarder keeps its own small root (forwarder-composition.ts)
// and shares only the secrets reader.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAlertStateStore } from './adapters/dynamodb/alert-state-store.js';
import { DynamoSnapshotStore } from './adapters/dynamodb/snapshot-store.js';
import { createKafkaCollector } from './adapters/kafka/kafka-collector.js';
import type { ReadSecret } from './adapters/secrets/secret-reader.js';
import type { Logger, OffsetCollector } from './app/ports.js';
import type { ClusterConfig } from './config/cluster.js';
import type { Env } from './config/env.js';

let secrets: Promise<ReadSecret> | undefined;

/** This process's Secrets Manager reader. The SDK is loaded on the first secret read, so a CLI run
 * against a cluster without secrets never pays for it (a few hundred ms of startup). */
export const readSecret: ReadSecret = async (arn) => {
  secrets ??= import('./adapters/secrets/secret-reader.js').then(({ createSecretReader }) => createSecretReader());
  return (await secrets)(arn);
};

/** The offset collector of one cluster: SASL passwords from `env` or Secrets Manager, TLS material
 * from files or Secrets Manager. */
export function createCollector(cluster: ClusterConfig, env: Env = process.env): OffsetCollector {
  return createKafkaCollector(cluster, { env, readSecret });
}

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
