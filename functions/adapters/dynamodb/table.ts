// The single lagwatch table: snapshots, run records and alert state share one on-demand table.
// infra/ (CDK), the tests and the cost bench all create it from these constants so they never drift.
// Design and sizes: docs/aws.md.
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { Logger } from '../../app/ports.js';
import { isWholeCluster, parseShardLabel, shardLabel, WHOLE_CLUSTER, type Shard } from '../../core/shard.js';

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after. Readers never rely on it. */
  timeToLiveAttribute: 'expiresAt',
  billingMode: 'PAY_PER_REQUEST',
} as const;

/** Bumped when the item layout changes; readers skip (with a warning) items of another version. */
export const ITEM_VERSION = 1;

/** Extra time snapshots and run records are kept beyond the evaluation window (for inspection). */
export const RETENTION_MARGIN_MS = 24 * 60 * 60 * 1000;

/** How long to keep snapshots: the evaluator reads (windowSize + 2) intervals back, plus a margin. */
export function snapshotRetentionMs(windowSize: number, snapshotIntervalMs: number): number {
  return (windowSize + 2) * snapshotIntervalMs + RETENTION_MARGIN_MS;
}

// Key layout. The cluster name is URI-encoded inside keys so a `#` in it cannot collide with the
// separator. Timestamps are zero-padded so they sort as strings.
const TS_DIGITS = 15;
const CHUNK_DIGITS = 4;

export function padTimestamp(ms: number): string {
  return String(Math.max(0, Math.trunc(ms))).padStart(TS_DIGITS, '0');
}

/** `#1of4` after the cluster for one shard of a sharded cluster; nothing for the whole cluster, so
 * `shards: 1` keeps the keys it always had (and its stored windows). `#` never occurs in an encoded
 * cluster name, so the suffix cannot collide with one. */
function shardSuffix(shard: Shard): string {
  return isWholeCluster(shard) ? '' : `#${shardLabel(shard)}`;
}

export const keys = {
  /** All snapshot chunks of a cluster (of one shard): one item per (snapshot time, chunk). */
  snapshotPk: (cluster: string, shard: Shard = WHOLE_CLUSTER) => `S#${encodeURIComponent(cluster)}${shardSuffix(shard)}`,
  snapshotSk: (timestamp: number, chunk: number) => `${padTimestamp(timestamp)}#${String(chunk).padStart(CHUNK_DIGITS, '0')}`,
  /** Lowest chunk sort key at `timestamp` (inclusive). */
  snapshotSkFrom: (timestamp: number) => `${padTimestamp(timestamp)}#`,
  /** Above every chunk sort key at `timestamp`. */
  snapshotSkTo: (timestamp: number) => `${padTimestamp(timestamp)}#\uffff`,
  /** Run records (of one shard): the evaluator's stream filter matches this prefix (infra/constructs/evaluator.ts). */
  runPk: (cluster: string, shard: Shard = WHOLE_CLUSTER) => `R#${encodeURIComponent(cluster)}${shardSuffix(shard)}`,
  runSk: (timestamp: number) => padTimestamp(timestamp),
  alertPk: (cluster: string) => `A#${encodeURIComponent(cluster)}`,
} as const;

/** The cluster and shard a run record's partition key names (keys.runPk read back); null for any
 * other key. Round-trips through keys.runPk, so a layout change cannot be misread. */
export function parseRunPk(pk: string): { cluster: string; shard: Shard } | null {
  if (!pk.startsWith('R#')) return null;
  const [encoded = '', label, ...rest] = pk.slice(2).split('#');
  const shard = label === undefined ? WHOLE_CLUSTER : parseShardLabel(label);
  if (shard === null || rest.length > 0) return null;
  let cluster: string;
  try {
    cluster = decodeURIComponent(encoded);
  } catch {
    return null;
  }
  return keys.runPk(cluster, shard) === pk ? { cluster, shard } : null;
}

export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: TABLE.billingMode,
    AttributeDefinitions: [
      { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: TABLE.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
  };
}

/** Creates the table with TTL on (tests, the cost bench, local tooling; production uses CDK). */
export async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  for (let attempt = 0; attempt < 100; attempt++) {
    const description = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (description.Table?.TableStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
    }),
  );
}

/** DynamoDB's item size rule: attribute names plus values (UTF-8), numbers ~ (digits / 2 + 1). */
export function itemSizeBytes(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number' || typeof value === 'bigint') return Math.ceil(String(value).replace(/^-/, '').length / 2) + 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, v) => sum + 1 + valueSize(v), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + valueSize(v), 0);
  }
  return 0;
}

/** Logs an item a reader skips, with its key and why: one bad item never fails a whole read. */
export function warnUnreadable(logger: Logger, table: string, message: string, item: Record<string, unknown>, error: unknown): void {
  logger.warn(message, { table, pk: item[TABLE.partitionKey], sk: item[TABLE.sortKey], reason: error instanceof Error ? error.message : String(error) });
}
