// SnapshotStore on DynamoDB. A collection run is a few items: its group snapshots packed, gzipped
// and chunked under `S#<cluster>` (snapshot-chunks.ts), then the run record under `R#<cluster>`,
// written last and carrying the chunk count, so a run with a record is complete. The evaluator
// reads every group's window in two paginated Queries. One shard of a sharded cluster (cluster option
// `shards`) has its own pair, `S#<cluster>#1of4` and `R#<cluster>#1of4`, and its run record names its
// shard; the whole cluster keeps the keys it had before sharding. Layout and figures: docs/aws.md.
import { PutCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Logger, RunRecord, ShardScope, SnapshotStore, WindowSet } from '../../app/ports.js';
import { runRecordFromStored, shardOfRun } from '../../app/run-record.js';
import { isWholeCluster, shardLabel, type Shard } from '../../core/shard.js';
import { materialize } from '../../app/window-set.js';
import { errorSummary, StoreError } from '../../core/errors.js';
import type { ClusterSnapshot, GroupSnapshot } from '../../core/types.js';
import { batchPutAll, type BatchWriteOptions } from './batch-write.js';
import { DEFAULT_MAX_CHUNK_BYTES, joinEntries, packRun, unpackChunkLazily, type DecodedEntry, type LazyEntry } from './snapshot-chunks.js';
import { itemSizeBytes, ITEM_VERSION, keys, TABLE, warnUnreadable } from './table.js';

const MAX_ITEM_BYTES = 400 * 1024;

export interface DynamoSnapshotStoreOptions {
  tableName: string;
  /** How long items live (TTL): snapshotRetentionMs(windowSize, interval). Reads never rely on it. */
  retentionMs: number;
  logger: Logger;
  batch?: BatchWriteOptions;
  /** Compressed bytes per snapshot chunk (default 300 KB; tests force small chunks). */
  maxChunkBytes?: number;
}

type Item = Record<string, unknown>;

/** The binary chunk attribute. */
const CHUNK_ATTRIBUTE = 'z';
const CHUNK_SK = /^([0-9]{15})#([0-9]+)$/;
/** A sharded run record's shard index and count (absent on whole-cluster records). */
const SHARD_ATTRIBUTE = 'shard';
const SHARDS_ATTRIBUTE = 'shards';

/** A run record as stored: the RunRecord plus how many chunks hold its snapshots. */
interface StoredRun extends RunRecord {
  readonly chunks: number;
}

export class DynamoSnapshotStore implements SnapshotStore {
  private readonly maxChunkBytes: number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoSnapshotStoreOptions,
  ) {
    this.maxChunkBytes = options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES;
  }

  private expiresAt(timestamp: number): number {
    return Math.floor((timestamp + this.options.retentionMs) / 1000);
  }

  /** The chunk items a run is stored as (exported for size figures in docs and the bench). */
  chunkItems(snapshot: ClusterSnapshot): Item[] {
    let chunks: Buffer[];
    try {
      chunks = packRun(snapshot.cluster, snapshot.timestamp, snapshot.groups, this.maxChunkBytes);
    } catch (error) {
      throw new StoreError(`cluster ${snapshot.cluster}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
        context: { cluster: snapshot.cluster },
      });
    }
    return chunks.map((data, chunk) => ({
      [TABLE.partitionKey]: keys.snapshotPk(snapshot.cluster, shardOfRun(snapshot)),
      [TABLE.sortKey]: keys.snapshotSk(snapshot.timestamp, chunk),
      v: ITEM_VERSION,
      [CHUNK_ATTRIBUTE]: data,
      [TABLE.timeToLiveAttribute]: this.expiresAt(snapshot.timestamp),
    }));
  }

  runItem(snapshot: ClusterSnapshot, chunks: number): Item {
    const shard = shardOfRun(snapshot);
    const item: Item = {
      [TABLE.partitionKey]: keys.runPk(snapshot.cluster, shard),
      [TABLE.sortKey]: keys.runSk(snapshot.timestamp),
      v: ITEM_VERSION,
      chunks,
      listed: [...snapshot.listedGroups],
      failed: snapshot.failures.map((f) => f.group),
      // The record says which shard it covers (its key does too): a partial run of a sharded
      // cluster can never be read as a whole one.
      ...(isWholeCluster(shard) ? {} : { [SHARD_ATTRIBUTE]: shard.index, [SHARDS_ATTRIBUTE]: shard.count }),
      [TABLE.timeToLiveAttribute]: this.expiresAt(snapshot.timestamp),
    };
    if (itemSizeBytes(item) > MAX_ITEM_BYTES - 1024) {
      throw new StoreError(
        `cluster ${snapshot.cluster}${isWholeCluster(shard) ? '' : ` shard ${shardLabel(shard)}`}: the run record listing ${snapshot.listedGroups.length} groups exceeds DynamoDB's 400 KB item limit; ` +
          'raise the cluster config shards (docs/aws.md § "Sharding a large cluster") or narrow the collected groups with its allow/deny lists',
        { context: { cluster: snapshot.cluster, groups: snapshot.listedGroups.length } },
      );
    }
    return item;
  }

  async putSnapshot(snapshot: ClusterSnapshot): Promise<void> {
    const items = this.chunkItems(snapshot);
    const runItem = this.runItem(snapshot, items.length);
    try {
      await batchPutAll(this.client, this.options.tableName, items, this.options.batch);
      // Last: only now is the run complete for readers. A retry that produced fewer chunks leaves
      // the old higher-numbered chunks behind; the count here tells readers to ignore them.
      await this.client.send(new PutCommand({ TableName: this.options.tableName, Item: runItem }));
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw this.storeError(`could not write the run of cluster ${snapshot.cluster} at ${snapshot.timestamp}`, error);
    }
  }

  private decodeRun(cluster: string, shard: Shard, item: Item): StoredRun | null {
    const { chunks } = item;
    try {
      if (item.v !== ITEM_VERSION) throw new Error(`item version ${JSON.stringify(item.v)} is not ${ITEM_VERSION}`);
      if (typeof chunks !== 'number' || !Number.isSafeInteger(chunks) || chunks < 0) throw new Error('chunks is not a count');
      // The record's own shard must be the one its key says (a whole-cluster record names none).
      const whole = isWholeCluster(shard);
      const shardMatches = whole
        ? item[SHARD_ATTRIBUTE] === undefined && item[SHARDS_ATTRIBUTE] === undefined
        : item[SHARD_ATTRIBUTE] === shard.index && item[SHARDS_ATTRIBUTE] === shard.count;
      if (!shardMatches) throw new Error(`its shard is not ${shardLabel(shard)}, the one its key names`);
      const run = runRecordFromStored({ cluster, timestamp: Number(item[TABLE.sortKey]), listedGroups: item.listed, failedGroups: item.failed }, 'run');
      return { ...run, chunks, ...(whole ? {} : { shard }) };
    } catch (error) {
      warnUnreadable(this.options.logger, this.options.tableName, 'skipping unreadable run record', item, error);
      return null;
    }
  }

  /** Runs newest first (consistent reads: the evaluator starts right after a run record lands). */
  private async newestRuns(cluster: string, shard: Shard, from: number, to: number, limit: number): Promise<StoredRun[]> {
    const runs: StoredRun[] = [];
    await this.query(
      {
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
        ExpressionAttributeValues: { ':pk': keys.runPk(cluster, shard), ':from': keys.runSk(from), ':to': keys.runSk(to) },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: Math.max(2, limit),
      },
      `could not read the runs of cluster ${cluster}`,
      (item) => {
        const run = this.decodeRun(cluster, shard, item);
        if (run !== null) runs.push(run);
      },
      () => runs.length >= limit,
    );
    return runs;
  }

  async latestRun(cluster: string, scope: ShardScope = {}): Promise<RunRecord | null> {
    const [run] = await this.newestRuns(cluster, shardOfRun(scope), 0, Number.MAX_SAFE_INTEGER, 1);
    if (run === undefined) return null;
    const { chunks: _, ...record } = run;
    return record;
  }

  async readWindows(cluster: string, options: { limit: number; now: number; notBefore: number } & ShardScope): Promise<Map<string, GroupSnapshot[]>> {
    return materialize(await this.openWindows(cluster, options));
  }

  async openWindows(cluster: string, options: { limit: number; now: number; notBefore: number } & ShardScope): Promise<WindowSet> {
    const empty: WindowSet = { groups: new Set(), take: () => [] };
    if (options.limit <= 0 || options.notBefore > options.now) return empty;
    const shard = shardOfRun(options);
    const runs = (await this.newestRuns(cluster, shard, options.notBefore, options.now, options.limit)).slice(0, options.limit);
    const oldest = runs[runs.length - 1];
    const newest = runs[0];
    if (oldest === undefined || newest === undefined) return empty;
    const oldestFirst = [...runs].reverse();
    const runIndex = new Map(oldestFirst.map((r, i) => [r.timestamp, i]));

    // group → its entries, still undecoded, as flat (run index, chunk, entry) triples: a group split
    // across chunks has several per run. Flat, because at 200,000 partitions these are hundreds of
    // thousands of long-lived entries, and every extra object per entry is garbage-collector work.
    const entries = new Map<string, (number | LazyEntry)[]>();
    const chunkKeys: string[] = [];
    const seen = oldestFirst.map(() => new Set<number>());
    const pk = keys.snapshotPk(cluster, shard);
    const warn = (message: string, fields: Record<string, unknown>) => this.options.logger.warn(message, { table: this.options.tableName, pk, ...fields });
    await this.query(
      {
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
        ExpressionAttributeValues: { ':pk': pk, ':from': keys.snapshotSkFrom(oldest.timestamp), ':to': keys.snapshotSkTo(newest.timestamp) },
      },
      `could not read the snapshots of cluster ${cluster}`,
      (item) => {
        const sk = String(item[TABLE.sortKey]);
        const match = CHUNK_SK.exec(sk);
        const timestamp = Number(match?.[1]);
        const chunk = Number(match?.[2]);
        const run = runIndex.get(timestamp);
        // Runs without a record, and chunks a retried run no longer has, are not part of any run.
        if (run === undefined || !(chunk < oldestFirst[run]!.chunks)) return;
        const data = item[CHUNK_ATTRIBUTE];
        let lazy: LazyEntry[];
        try {
          if (item.v !== ITEM_VERSION) throw new Error(`item version ${JSON.stringify(item.v)} is not ${ITEM_VERSION}`);
          if (!(data instanceof Uint8Array)) throw new Error(`chunk attribute ${CHUNK_ATTRIBUTE} is not binary`);
          lazy = unpackChunkLazily(data, cluster, timestamp);
        } catch (error) {
          warn('skipping unreadable snapshot chunk', { sk, reason: error instanceof Error ? error.message : String(error) });
          return;
        }
        seen[run]!.add(chunk);
        const chunkKey = chunkKeys.push(sk) - 1;
        for (const entry of lazy) {
          if (entry.group === null) {
            warn('skipping unreadable group in snapshot chunk', { sk, group: null, reason: 'no group name' });
            continue;
          }
          const parts = entries.get(entry.group);
          if (parts === undefined) entries.set(entry.group, [run, chunkKey, entry]);
          else parts.push(run, chunkKey, entry);
        }
      },
    );

    for (const [i, run] of oldestFirst.entries()) {
      const read = seen[i]!.size;
      if (read < run.chunks) {
        warn('some snapshot chunks of a run could not be read; its groups there are left out', { timestamp: run.timestamp, chunks: run.chunks, read });
      }
    }
    const take = (group: string): GroupSnapshot[] => {
      const parts = entries.get(group);
      const snapshots: GroupSnapshot[] = [];
      if (parts === undefined) return snapshots;
      entries.delete(group);
      for (let run = 0; run < oldestFirst.length; run++) {
        const decoded: DecodedEntry[] = [];
        let unreadable = false;
        for (let i = 0; i < parts.length && !unreadable; i += 3) {
          if (parts[i] !== run) continue;
          try {
            decoded.push((parts[i + 2] as LazyEntry).decode());
          } catch (error) {
            warn('skipping unreadable group in snapshot chunk', { sk: chunkKeys[parts[i + 1] as number], group, reason: error instanceof Error ? error.message : String(error) });
            unreadable = true;
          }
        }
        if (decoded.length === 0 || unreadable) continue;
        const timestamp = oldestFirst[run]!.timestamp;
        const snapshot = joinEntries(cluster, timestamp, decoded);
        if (snapshot === null) {
          warn('skipping a group snapshot with a part missing', { timestamp, group });
          continue;
        }
        snapshots.push(snapshot);
      }
      return snapshots;
    };
    return { groups: new Set(entries.keys()), take };
  }

  /** Runs a paginated Query, handing each item to `onItem`, until the end or `done()`. */
  private async query(
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
    failure: string,
    onItem: (item: Item) => void,
    done: () => boolean = () => false,
  ): Promise<void> {
    let startKey: Record<string, unknown> | undefined;
    do {
      let response;
      try {
        response = await this.client.send(
          new QueryCommand({ ...input, TableName: this.options.tableName, ExclusiveStartKey: startKey }),
        );
      } catch (error) {
        throw this.storeError(failure, error);
      }
      for (const item of response.Items ?? []) onItem(item);
      startKey = response.LastEvaluatedKey;
    } while (startKey !== undefined && !done());
  }

  private storeError(message: string, cause: unknown): StoreError {
    return new StoreError(`DynamoDB table ${this.options.tableName}: ${message} (${errorSummary(cause)})`, {
      cause,
      context: { table: this.options.tableName },
    });
  }
}
