// AlertStateStore on DynamoDB: one item per (cluster, group) under the cluster's partition key,
// written with a condition on `version` so two evaluator runs at once claim a transition only once.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AlertStateStore, Logger } from '../../app/ports.js';
import type { AlertState } from '../../core/alert.js';
import { StoreError } from '../../core/errors.js';
import { GroupStatus } from '../../core/types.js';
import { ITEM_VERSION, keys, TABLE } from './table.js';

export interface DynamoAlertStateStoreOptions {
  tableName: string;
  logger: Logger;
}

type Item = Record<string, unknown>;

const STATUSES = new Set<string>(Object.values(GroupStatus));

export function decodeAlertItem(cluster: string, item: Item): AlertState {
  const text = (name: string): string => {
    const value = item[name];
    if (typeof value !== 'string') throw new Error(`${name} is not a string`);
    return value;
  };
  const count = (name: string): number => {
    const value = item[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new Error(`${name} is not a non-negative integer`);
    return value;
  };
  if (item.v !== ITEM_VERSION) throw new Error(`item version ${JSON.stringify(item.v)} is not ${ITEM_VERSION}`);
  const status = text('status');
  if (!STATUSES.has(status)) throw new Error(`status ${status} is unknown`);
  return {
    cluster,
    group: text(TABLE.sortKey),
    status: status as GroupStatus,
    incidentId: text('incidentId'),
    team: text('team'),
    since: count('since'),
    lastNotified: count('lastNotified'),
    version: count('version'),
  };
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error instanceof Error && error.name === 'ConditionalCheckFailedException');
}

export class DynamoAlertStateStore implements AlertStateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoAlertStateStoreOptions,
  ) {}

  async list(cluster: string): Promise<AlertState[]> {
    const states: AlertState[] = [];
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
          states.push(decodeAlertItem(cluster, item));
        } catch (error) {
          this.options.logger.warn('skipping unreadable alert state item', {
            table: this.options.tableName,
            pk: item[TABLE.partitionKey],
            sk: item[TABLE.sortKey],
            reason: error instanceof Error ? error.message : String(error),
          });
        }
      }
      startKey = response.LastEvaluatedKey;
    } while (startKey !== undefined);
    return states;
  }

  async put(next: AlertState, expectedVersion: number | null): Promise<boolean> {
    const item: Item = {
      [TABLE.partitionKey]: keys.alertPk(next.cluster),
      [TABLE.sortKey]: next.group,
      v: ITEM_VERSION,
      status: next.status,
      incidentId: next.incidentId,
      team: next.team,
      since: next.since,
      lastNotified: next.lastNotified,
      version: next.version,
    };
    const condition: Pick<PutCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> =
      expectedVersion === null
        ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': TABLE.partitionKey } }
        : {
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          };
    try {
      await this.client.send(new PutCommand({ TableName: this.options.tableName, Item: item, ...condition }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw this.storeError(`could not write the alert state of group ${next.group} on cluster ${next.cluster}`, error);
    }
  }

  async remove(cluster: string, group: string, expectedVersion: number): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.options.tableName,
          Key: { [TABLE.partitionKey]: keys.alertPk(cluster), [TABLE.sortKey]: group },
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw this.storeError(`could not remove the alert state of group ${group} on cluster ${cluster}`, error);
    }
  }

  private storeError(message: string, cause: unknown): StoreError {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    return new StoreError(`DynamoDB table ${this.options.tableName}: ${message} (${detail})`, {
      cause,
      context: { table: this.options.tableName },
    });
  }
}
