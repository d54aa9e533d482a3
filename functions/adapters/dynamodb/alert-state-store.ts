// AlertStateStore on DynamoDB: one item per (cluster, group) under the cluster's partition key,
// written with a condition on `revision` (and on the run it was decided from) so two evaluator runs
// at once claim a transition only once, and a late one cannot overwrite a newer decision.
// Closing an incident writes a tombstone instead of deleting the item: the revision survives, so an
// evaluator that read the open state before the close fails its write instead of reopening it.
// Tombstones expire by TTL (ALERT_TOMBSTONE_TTL_MS) — long after; nothing relies on TTL timing.
//
// Item: pk A#<cluster>, sk <group>, v 2, revision, runTimestamp, state (JSON, absent on a
// tombstone), pending (JSON of the outbox message, absent once sent), expiresAt (tombstones only).
// Items of the first layout (v 1: the AlertState fields at the top level) are read as open states.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { ALERT_TOMBSTONE_TTL_MS, type AlertRecord, type AlertStateStore, type Logger } from '../../app/ports.js';
import { alertRecordFromStored, alertRecordOfState } from '../../app/alert-record.js';
import { errorSummary, StoreError } from '../../core/errors.js';
import { alertStateFromJson } from '../../core/serialize.js';
import { keys, TABLE, warnUnreadable } from './table.js';

export interface DynamoAlertStateStoreOptions {
  tableName: string;
  logger: Logger;
}

type Item = Record<string, unknown>;

/** Layout version of alert items (snapshot items have their own, table.ts ITEM_VERSION). */
export const ALERT_ITEM_VERSION = 2;
const FIRST_LAYOUT = 1;

/** JSON that keeps bigints (tagged), so core types can grow bigint fields without a layout change. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString(10) } : v));
}
function fromJson(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && typeof (v as { $bigint?: unknown }).$bigint === 'string' ? BigInt((v as { $bigint: string }).$bigint) : v,
  );
}

export function decodeAlertItem(cluster: string, item: Item): AlertRecord {
  const group = item[TABLE.sortKey];
  if (typeof group !== 'string') throw new Error(`${TABLE.sortKey} is not a string`);
  if (item.v === FIRST_LAYOUT) return alertRecordOfState(alertStateFromJson({ ...item, cluster, group }, 'item'));
  if (item.v !== ALERT_ITEM_VERSION) throw new Error(`item version ${JSON.stringify(item.v)} is not ${ALERT_ITEM_VERSION}`);
  const json = (name: 'state' | 'pending'): unknown => {
    const text = item[name];
    if (text === undefined) return null;
    if (typeof text !== 'string') throw new Error(`${name} is not a string`);
    return fromJson(text);
  };
  return alertRecordFromStored(
    { cluster, group, revision: item.revision, runTimestamp: item.runTimestamp, state: json('state'), pending: json('pending') },
    'item',
  );
}

export function encodeAlertItem(record: AlertRecord): Item {
  const item: Item = {
    [TABLE.partitionKey]: keys.alertPk(record.cluster),
    [TABLE.sortKey]: record.group,
    v: ALERT_ITEM_VERSION,
    revision: record.revision,
    runTimestamp: record.runTimestamp,
  };
  if (record.state !== null) item.state = toJson(record.state);
  if (record.pending !== null) item.pending = toJson(record.pending);
  // Only a tombstone with nothing left to send may expire; an open incident or a pending message never does.
  if (record.state === null && record.pending === null) {
    item[TABLE.timeToLiveAttribute] = Math.ceil((record.runTimestamp + ALERT_TOMBSTONE_TTL_MS) / 1000);
  }
  return item;
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error instanceof Error && error.name === 'ConditionalCheckFailedException');
}

export class DynamoAlertStateStore implements AlertStateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoAlertStateStoreOptions,
  ) {}

  async list(cluster: string): Promise<AlertRecord[]> {
    const records: AlertRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      let response;
      try {
        response = await this.client.send(
          new QueryCommand({
            TableName: this.options.tableName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
            ExpressionAttributeValues: { ':pk': keys.alertPk(cluster) },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
      } catch (error) {
        throw this.storeError(`could not list the alert states of cluster ${cluster}`, error);
      }
      for (const item of response.Items ?? []) {
        try {
          records.push(decodeAlertItem(cluster, item));
        } catch (error) {
          warnUnreadable(this.options.logger, this.options.tableName, 'skipping unreadable alert state item', item, error);
        }
      }
      startKey = response.LastEvaluatedKey;
    } while (startKey !== undefined);
    return records;
  }

  async write(next: AlertRecord, expectedRevision: number | null): Promise<boolean> {
    const condition: Pick<PutCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> =
      expectedRevision === null
        ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': TABLE.partitionKey } }
        : {
            // A first-layout item has no revision: its version plays that part.
            ConditionExpression:
              '(#revision = :expected OR (attribute_not_exists(#revision) AND #version = :expected)) AND ' +
              '(attribute_not_exists(#run) OR #run <= :run)',
            ExpressionAttributeNames: { '#revision': 'revision', '#version': 'version', '#run': 'runTimestamp' },
            ExpressionAttributeValues: { ':expected': expectedRevision, ':run': next.runTimestamp },
          };
    try {
      await this.client.send(new PutCommand({ TableName: this.options.tableName, Item: encodeAlertItem(next), ...condition }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw this.storeError(`could not write the alert state of group ${next.group} on cluster ${next.cluster}`, error);
    }
  }

  private storeError(message: string, cause: unknown): StoreError {
    return new StoreError(`DynamoDB table ${this.options.tableName}: ${message} (${errorSummary(cause)})`, {
      cause,
      context: { table: this.options.tableName },
    });
  }
}
