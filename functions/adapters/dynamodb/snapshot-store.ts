// SnapshotStore on DynamoDB. One item per (cluster, group, topic, snapshot time) holds all of that
// topic's partitions in one compact string, about 20× cheaper in write units than one item per
// partition. The run record is written last, so a run with a record is complete. Layout: docs/aws.md.
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger, RunRecord, SnapshotStore } from '../../app/ports.js';
import { StoreError } from '../../core/errors.js';
import { formatOffset, parseOffset } from '../../core/offsets.js';
import { GroupState, type ClusterSnapshot, type GroupSnapshot, type PartitionOffsets } from '../../core/types.js';
import { batchPutAll, type BatchWriteOptions } from './batch-write.js';
import { emptyUsage, estimateReadUnits, itemSizeBytes, ITEM_VERSION, keys, recordCapacity, TABLE, type CapacityUsage } from './table.js';

/** Partitions per item: keeps the largest item (~45 bytes a partition) far below DynamoDB's 400 KB. */
export const PARTITIONS_PER_ITEM = 1000;
const MAX_ITEM_BYTES = 400 * 1024;

export interface DynamoSnapshotStoreOptions {
  tableName: string;
  /** How long items live (TTL): snapshotRetentionMs(windowSize, interval). Reads never rely on it. */
  retentionMs: number;
  logger: Logger;
  batch?: BatchWriteOptions;
}

type Item = Record<string, unknown>;

/** `partition:committed:logEnd[:recordTimestamp]`, comma separated; an empty field is null. */
export function encodePartitions(partitions: readonly PartitionOffsets[]): string {
  return partitions
    .map((p) => {
      const fields = [
        String(p.partition),
        p.committedOffset === null ? '' : formatOffset(p.committedOffset),
        p.logEndOffset === null ? '' : formatOffset(p.logEndOffset),
      ];
      if (typeof p.committedRecordTimestamp === 'number') fields.push(String(p.committedRecordTimestamp));
      return fields.join(':');
    })
    .join(',');
}

function decodeOffset(field: string, what: string): bigint | null {
  if (field === '') return null;
  const value = parseOffset(field);
  if (value === null) throw new Error(`${what} "${field}" is not a non-negative decimal`);
  return value;
}

export function decodePartitions(topic: string, encoded: string): PartitionOffsets[] {
  if (encoded === '') return [];
  return encoded.split(',').map((entry) => {
    const [partition = '', committed = '', logEnd = '', recordTs, ...rest] = entry.split(':');
    if (rest.length > 0 || !/^(0|[1-9][0-9]*)$/.test(partition)) throw new Error(`partition entry "${entry}" is malformed`);
    const offsets: PartitionOffsets = {
      topic,
      partition: Number(partition),
      committedOffset: decodeOffset(committed, 'committed offset'),
      logEndOffset: decodeOffset(logEnd, 'log-end offset'),
    };
    if (recordTs === undefined || recordTs === '') return offsets;
    const timestamp = Number(recordTs);
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error(`record timestamp "${recordTs}" is malformed`);
    return { ...offsets, committedRecordTimestamp: timestamp };
  });
}

const GROUP_STATES = new Set<string>(Object.values(GroupState));

interface DecodedChunk {
  readonly timestamp: number;
  readonly state: GroupState;
  readonly members: number | null;
  readonly partitions: PartitionOffsets[];
}

const SNAPSHOT_SK = /^S#([0-9]{15})#([^#]*)#([0-9]+)$/;

/** Throws an Error saying what is wrong; the caller skips the item with a warning naming its key. */
export function decodeSnapshotItem(item: Item): DecodedChunk {
  if (item.v !== ITEM_VERSION) throw new Error(`item version ${JSON.stringify(item.v)} is not ${ITEM_VERSION}`);
  const match = SNAPSHOT_SK.exec(String(item[TABLE.sortKey]));
  if (!match) throw new Error('sort key is not S#<timestamp>#<topic>#<chunk>');
  const timestamp = Number(match[1]);
  const topic = match[2] ?? '';
  if (typeof item.state !== 'string' || !GROUP_STATES.has(item.state)) throw new Error(`state ${JSON.stringify(item.state)} is unknown`);
  const members = item.members ?? null;
  if (members !== null && (typeof members !== 'number' || !Number.isSafeInteger(members) || members < 0)) {
    throw new Error(`members ${JSON.stringify(members)} is not a count`);
  }
  if (typeof item.p !== 'string') throw new Error('partitions attribute p is missing');
  return { timestamp, state: item.state as GroupState, members, partitions: decodePartitions(topic, item.p) };
}

function comparePartitionOffsets(a: PartitionOffsets, b: PartitionOffsets): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

export class DynamoSnapshotStore implements SnapshotStore {
  /** Capacity consumed since construction (the cost bench reads it). */
  readonly usage: CapacityUsage = emptyUsage();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoSnapshotStoreOptions,
  ) {}

  private expiresAt(timestamp: number): number {
    return Math.floor((timestamp + this.options.retentionMs) / 1000);
  }

  /** The items one group snapshot is stored as (exported for size figures in docs and the bench). */
  snapshotItems(snapshot: GroupSnapshot): Item[] {
    const byTopic = new Map<string, PartitionOffsets[]>();
    for (const p of snapshot.partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
    // A group with no partitions still gets one (empty) item: it was seen in this run.
    if (byTopic.size === 0) byTopic.set('', []);
    const items: Item[] = [];
    for (const [topic, partitions] of byTopic) {
      for (let chunk = 0; chunk * PARTITIONS_PER_ITEM < Math.max(1, partitions.length); chunk++) {
        const slice = partitions.slice(chunk * PARTITIONS_PER_ITEM, (chunk + 1) * PARTITIONS_PER_ITEM);
        const item: Item = {
          [TABLE.partitionKey]: keys.groupPk(snapshot.cluster, snapshot.group),
          [TABLE.sortKey]: keys.snapshotSk(snapshot.timestamp, topic, chunk),
          v: ITEM_VERSION,
          state: snapshot.state,
          p: encodePartitions(slice),
          [TABLE.timeToLiveAttribute]: this.expiresAt(snapshot.timestamp),
        };
        if (snapshot.members !== null) item.members = snapshot.members;
        items.push(item);
      }
    }
    return items;
  }

  runItem(snapshot: ClusterSnapshot): Item {
    const failed = snapshot.failures.map((f) => f.group);
    const item: Item = {
      [TABLE.partitionKey]: keys.runPk(snapshot.cluster),
      [TABLE.sortKey]: keys.runSk(snapshot.timestamp),
      v: ITEM_VERSION,
      listed: [...snapshot.listedGroups],
      failed,
      [TABLE.timeToLiveAttribute]: this.expiresAt(snapshot.timestamp),
    };
    if (itemSizeBytes(item) > MAX_ITEM_BYTES - 1024) {
      throw new StoreError(
        `cluster ${snapshot.cluster}: the run record listing ${snapshot.listedGroups.length} groups exceeds DynamoDB's 400 KB item limit; ` +
          'narrow the collected groups with the cluster config allow/deny lists or split the cluster into several configs',
        { context: { cluster: snapshot.cluster, groups: snapshot.listedGroups.length } },
      );
    }
    return item;
  }

  async putSnapshot(snapshot: ClusterSnapshot): Promise<void> {
    const runItem = this.runItem(snapshot);
    const items = snapshot.groups.flatMap((g) => this.snapshotItems(g));
    for (const item of items) {
      this.usage.itemsWritten++;
      this.usage.writeUnitsEstimated += Math.ceil(itemSizeBytes(item) / 1024);
    }
    try {
      await batchPutAll(this.client, this.options.tableName, items, this.usage, this.options.batch);
      // Last: only now is the run complete for readers.
      const response = await this.client.send(
        new PutCommand({ TableName: this.options.tableName, Item: runItem, ReturnConsumedCapacity: 'TOTAL' }),
      );
      recordCapacity(this.usage, 'write', response.ConsumedCapacity);
      this.usage.itemsWritten++;
      this.usage.writeUnitsEstimated += Math.ceil(itemSizeBytes(runItem) / 1024);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw this.storeError(`could not write the run of cluster ${snapshot.cluster} at ${snapshot.timestamp}`, error);
    }
  }

  async latestRun(cluster: string): Promise<RunRecord | null> {
    let response;
    try {
      response = await this.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
          ExpressionAttributeValues: { ':pk': keys.runPk(cluster) },
          ScanIndexForward: false,
          Limit: 2,
          ConsistentRead: true,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
    } catch (error) {
      throw this.storeError(`could not read the latest run of cluster ${cluster}`, error);
    }
    recordCapacity(this.usage, 'read', response.ConsumedCapacity);
    this.usage.readUnitsEstimated += estimateReadUnits(response.Items ?? [], true);
    for (const item of response.Items ?? []) {
      this.usage.itemsRead++;
      const listed = item.listed;
      const failed = item.failed;
      const timestamp = Number(item[TABLE.sortKey]);
      const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
      if (item.v === ITEM_VERSION && Number.isSafeInteger(timestamp) && isStrings(listed) && isStrings(failed)) {
        return { cluster, timestamp, listedGroups: listed, failedGroups: failed };
      }
      this.options.logger.warn('skipping unreadable run record', {
        table: this.options.tableName,
        pk: item[TABLE.partitionKey],
        sk: item[TABLE.sortKey],
      });
    }
    return null;
  }

  async readWindow(
    cluster: string,
    group: string,
    options: { limit: number; now: number; notBefore: number },
  ): Promise<GroupSnapshot[]> {
    if (options.limit <= 0 || options.notBefore > options.now) return [];
    const pk = keys.groupPk(cluster, group);
    const chunks = new Map<number, DecodedChunk[]>();
    let startKey: Record<string, unknown> | undefined;
    do {
      let response;
      try {
        response = await this.client.send(
          new QueryCommand({
            TableName: this.options.tableName,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
            ExpressionAttributeValues: {
              ':pk': pk,
              ':from': keys.snapshotSkFrom(options.notBefore),
              ':to': keys.snapshotSkTo(options.now),
            },
            ScanIndexForward: false,
            ExclusiveStartKey: startKey,
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
      } catch (error) {
        throw this.storeError(`could not read the window of group ${group} on cluster ${cluster}`, error);
      }
      recordCapacity(this.usage, 'read', response.ConsumedCapacity);
      this.usage.readUnitsEstimated += estimateReadUnits(response.Items ?? [], false);
      for (const item of response.Items ?? []) {
        this.usage.itemsRead++;
        let chunk: DecodedChunk;
        try {
          chunk = decodeSnapshotItem(item);
        } catch (error) {
          this.options.logger.warn('skipping unreadable snapshot item', {
            table: this.options.tableName,
            pk: item[TABLE.partitionKey],
            sk: item[TABLE.sortKey],
            reason: error instanceof Error ? error.message : String(error),
          });
          continue;
        }
        chunks.set(chunk.timestamp, [...(chunks.get(chunk.timestamp) ?? []), chunk]);
      }
      startKey = response.LastEvaluatedKey;
      // Newest first: once more than `limit` timestamps are seen, every chunk of the newest `limit` is in.
    } while (startKey !== undefined && chunks.size <= options.limit);

    const timestamps = [...chunks.keys()].sort((a, b) => b - a).slice(0, options.limit).reverse();
    return timestamps.map((timestamp) => {
      const parts = chunks.get(timestamp) ?? [];
      const first = parts[0];
      return {
        cluster,
        group,
        timestamp,
        state: first?.state ?? GroupState.Unknown,
        members: first?.members ?? null,
        partitions: parts.flatMap((c) => c.partitions).sort(comparePartitionOffsets),
      };
    });
  }

  private storeError(message: string, cause: unknown): StoreError {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    return new StoreError(`DynamoDB table ${this.options.tableName}: ${message} (${detail})`, {
      cause,
      context: { table: this.options.tableName },
    });
  }
}
