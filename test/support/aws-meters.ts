// Measurement around the production adapters, not inside them: the cost bench and the tests wrap
// the SDK clients (or the Notifier port) they hand to an adapter, and read what went over the wire.
// The adapters themselves keep no counters (a warm Lambda would grow them for its whole life).
import { PutMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { BatchWriteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { itemSizeBytes } from '../../functions/adapters/dynamodb/table.js';
import type { Notifier } from '../../functions/app/ports.js';

/** Read/write units consumed, as DynamoDB reports them (ConsumedCapacity TOTAL), plus retry counts. */
export interface CapacityUsage {
  readUnits: number;
  writeUnits: number;
  /** Requests that returned ConsumedCapacity; when 0 the emulator did not report it. */
  reportedRequests: number;
  requests: number;
  /** Items DynamoDB handed back as UnprocessedItems (each is sent again). */
  unprocessedRetries: number;
  /** Items written (accepted) and their units by DynamoDB's rule (1 KB each, rounded up), for
   * estimating units when the emulator reports none. */
  itemsWritten: number;
  writeUnitsEstimated: number;
  itemsRead: number;
  /** Read units by DynamoDB's rule (per request: item bytes rounded up to 4 KB; half for eventually consistent). */
  readUnitsEstimated: number;
}

export function emptyUsage(): CapacityUsage {
  return {
    readUnits: 0,
    writeUnits: 0,
    reportedRequests: 0,
    requests: 0,
    unprocessedRetries: 0,
    itemsWritten: 0,
    writeUnitsEstimated: 0,
    itemsRead: 0,
    readUnitsEstimated: 0,
  };
}

interface ConsumedCapacityLike {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

function recordCapacity(usage: CapacityUsage, kind: 'read' | 'write', consumed: ConsumedCapacityLike | readonly ConsumedCapacityLike[] | undefined): void {
  usage.requests++;
  if (consumed === undefined) return;
  const list = Array.isArray(consumed) ? consumed : [consumed as ConsumedCapacityLike];
  if (list.length === 0) return;
  usage.reportedRequests++;
  for (const c of list) {
    const units = c.CapacityUnits ?? (kind === 'read' ? c.ReadCapacityUnits : c.WriteCapacityUnits) ?? 0;
    if (kind === 'read') usage.readUnits += units;
    else usage.writeUnits += units;
  }
}

type Item = Record<string, unknown>;
const writeUnits = (items: readonly Item[]): number => items.reduce((sum, item) => sum + Math.ceil(itemSizeBytes(item) / 1024), 0);

export function estimateReadUnits(items: readonly Item[], consistent: boolean): number {
  const bytes = items.reduce((sum, item) => sum + itemSizeBytes(item), 0);
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return consistent ? units : units / 2;
}

/** `client` with `send` replaced by `send`; every other member is the client's own. */
function withSend<C extends object>(client: C, send: (command: unknown) => Promise<unknown>): C {
  return new Proxy(client, { get: (target, prop, receiver) => (prop === 'send' ? send : Reflect.get(target, prop, receiver)) });
}

/**
 * A document client that meters what an adapter sends through it: Query (reads), BatchWrite and
 * Put (writes). It asks DynamoDB for ConsumedCapacity itself (the adapters do not), and estimates
 * units from the items sent and returned by DynamoDB's rules, for an emulator that reports none.
 */
export function meteredDocumentClient(doc: DynamoDBDocumentClient): { client: DynamoDBDocumentClient; usage: CapacityUsage } {
  const usage = emptyUsage();
  const send = async (command: unknown): Promise<unknown> => {
    if (command instanceof QueryCommand) {
      const response = await doc.send(new QueryCommand({ ...command.input, ReturnConsumedCapacity: 'TOTAL' }));
      recordCapacity(usage, 'read', response.ConsumedCapacity);
      usage.readUnitsEstimated += estimateReadUnits(response.Items ?? [], command.input.ConsistentRead === true);
      usage.itemsRead += response.Items?.length ?? 0;
      return response;
    }
    if (command instanceof BatchWriteCommand) {
      const response = await doc.send(new BatchWriteCommand({ ...command.input, ReturnConsumedCapacity: 'TOTAL' }));
      recordCapacity(usage, 'write', response.ConsumedCapacity);
      const items = (requests: Record<string, readonly { PutRequest?: { Item?: Item } }[]> | undefined): Item[] =>
        Object.values(requests ?? {}).flatMap((list) => list.flatMap((r) => (r.PutRequest?.Item ? [r.PutRequest.Item] : [])));
      const sent = items(command.input.RequestItems);
      const unprocessed = items(response.UnprocessedItems);
      usage.unprocessedRetries += unprocessed.length;
      usage.itemsWritten += sent.length - unprocessed.length;
      usage.writeUnitsEstimated += writeUnits(sent) - writeUnits(unprocessed);
      return response;
    }
    if (command instanceof PutCommand) {
      const response = await doc.send(new PutCommand({ ...command.input, ReturnConsumedCapacity: 'TOTAL' }));
      recordCapacity(usage, 'write', response.ConsumedCapacity);
      usage.itemsWritten++;
      usage.writeUnitsEstimated += writeUnits([command.input.Item ?? {}]);
      return response;
    }
    return doc.send(command as Parameters<DynamoDBDocumentClient['send']>[0]);
  };
  return { client: withSend(doc, send), usage };
}

/** What went to CloudWatch through a client: successful PutMetricData calls, the distinct metrics
 * (name and dimensions) they carried, and the metric-hours: each distinct (name, dimensions, clock
 * hour of the datum's timestamp), the unit CloudWatch bills custom metrics by. */
export interface CloudWatchMeter {
  readonly client: CloudWatchClient;
  readonly calls: number;
  readonly distinctMetrics: Set<string>;
  /** `${name}|${dimensions}|${hour since the epoch}`. */
  readonly metricHours: Set<string>;
}

const HOUR_MS = 3_600_000;

export function meteredCloudWatch(cloudwatch: CloudWatchClient): CloudWatchMeter {
  const distinctMetrics = new Set<string>();
  const metricHours = new Set<string>();
  let calls = 0;
  const send = async (command: unknown): Promise<unknown> => {
    const response = await cloudwatch.send(command as Parameters<CloudWatchClient['send']>[0]);
    if (command instanceof PutMetricDataCommand) {
      calls++;
      for (const d of command.input.MetricData ?? []) {
        const dims = (d.Dimensions ?? []).map((x) => `${x.Name}=${x.Value}`).sort().join(',');
        distinctMetrics.add(`${d.MetricName}|${dims}`);
        metricHours.add(`${d.MetricName}|${dims}|${Math.floor((d.Timestamp?.getTime() ?? 0) / HOUR_MS)}`);
      }
    }
    return response;
  };
  return {
    client: withSend(cloudwatch, send),
    get calls() {
      return calls;
    },
    distinctMetrics,
    metricHours,
  };
}

/** A Notifier that counts the messages `inner` accepted. */
export function countingNotifier(inner: Notifier): Notifier & { readonly published: number } {
  let published = 0;
  return {
    async publish(notification) {
      await inner.publish(notification);
      published++;
    },
    get published() {
      return published;
    },
  };
}
