// The Kafka requests the collector sends, batched the way kafkajs's public Admin API cannot:
// - ListGroups per broker (the broker that lists a group is its coordinator, so no FindCoordinator
//   per group), DescribeGroups per coordinator in batches, OffsetFetch per group to its coordinator;
// - one Metadata request for every topic the groups read;
// - ListOffsets (earliest and latest) per leader broker for all of its partitions at once;
// - DescribeConfigs for all topics in one request; a one-record Fetch per leader for many partitions.
//
// How: kafkajs's own Cluster, Broker, connection pool and protocol encoders/decoders (the code its
// Admin and Consumer run on), with one change: responses are decoded but not "parsed", because
// kafkajs's parse step throws on the first partition error in a response and so turns one bad
// topic into a failed request for every topic in it. Here every error code is kept per group,
// topic, partition or config resource, and the caller decides what it fails.
import Cluster, { type InternalBroker, type InternalConnection } from 'kafkajs/src/cluster/index.js';
import InstrumentationEventEmitter from 'kafkajs/src/instrumentation/emitter.js';
import loggers from 'kafkajs/src/loggers/index.js';
import LoggerConsole from 'kafkajs/src/loggers/console.js';
import socketFactory from 'kafkajs/src/network/socketFactory.js';
import protocolError from 'kafkajs/src/protocol/error.js';
import apiKeys from 'kafkajs/src/protocol/requests/apiKeys.js';
import requestIndex from 'kafkajs/src/protocol/requests/index.js';
import type { KafkaConfig } from 'kafkajs';

const { requests } = requestIndex;

/** The name Kafka gives an error code (e.g. 3 → UNKNOWN_TOPIC_OR_PARTITION). */
export function errorName(code: number): string {
  return protocolError.errorCodes.find((e) => e.code === code)?.type ?? `error code ${code}`;
}

export const ErrorCode = {
  None: 0,
  UnknownTopicOrPartition: 3,
  CoordinatorLoadInProgress: 14,
  CoordinatorNotAvailable: 15,
  NotCoordinator: 16,
} as const;

/** An error code in a response the collector must not trust (not 0). */
export class KafkaWireError extends Error {
  override readonly name = 'KafkaWireError';
  constructor(
    message: string,
    /** Kafka's error code (named errorCode: Node's `code` is a string elsewhere). */
    readonly errorCode: number,
  ) {
    super(message);
  }
}

export interface ListedGroup {
  readonly groupId: string;
  readonly protocolType: string;
}

export interface OffsetFetchResponse {
  readonly errorCode?: number;
  readonly responses: readonly {
    readonly topic: string;
    readonly partitions: readonly { partition: number; offset: string; errorCode: number }[];
  }[];
}

export interface DescribedGroup {
  readonly errorCode: number;
  readonly groupId: string;
  readonly state: string;
  readonly protocolType: string;
  readonly members: readonly { memberId: string; memberAssignment: Buffer | null }[];
}

export interface TopicMetadata {
  readonly topicErrorCode: number;
  readonly topic: string;
  readonly partitionMetadata: readonly { partitionErrorCode: number; partitionId: number; leader: number }[];
}

export interface ListOffsetsResponse {
  readonly responses: readonly {
    readonly topic: string;
    readonly partitions: readonly { partition: number; errorCode: number; offset?: string; offsets?: string[] }[];
  }[];
}

export interface DescribeConfigsResponse {
  readonly resources: readonly {
    readonly errorCode: number;
    readonly errorMessage: string | null;
    readonly resourceName: string;
    readonly configEntries: readonly { configName: string; configValue: string | null }[];
  }[];
}

export interface FetchedRecord {
  readonly offset: string;
  readonly timestamp: string;
  readonly isControlRecord?: boolean;
}

export interface FetchResponse {
  readonly errorCode?: number;
  readonly responses: readonly {
    readonly topicName: string;
    readonly partitions: readonly { partition: number; errorCode: number; messages: readonly FetchedRecord[] }[];
  }[];
}

/** ListOffsets timestamps: the latest (log end) and earliest (log start) offset. */
export const LATEST = -1;
export const EARLIEST = -2;
/** Leaders (brokers) read in parallel for ListOffsets and Fetch. */
export const BROKER_CONCURRENCY = 4;

/** Splits a request's items into batches of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
const READ_COMMITTED = 1;
const TOPIC_RESOURCE = 2;

export interface KafkaWire {
  /** Node ids of the brokers in the cluster (the broker list is read once per client, then on
   * demand when a leader or coordinator is a broker the client does not know). */
  nodeIds(): Promise<string[]>;
  refreshBrokers(): Promise<void>;
  listGroups(nodeId: string): Promise<readonly ListedGroup[]>;
  findCoordinator(groupId: string): Promise<string>;
  offsetFetch(nodeId: string, groupId: string): Promise<OffsetFetchResponse>;
  describeGroups(nodeId: string, groupIds: readonly string[]): Promise<readonly DescribedGroup[]>;
  metadata(topics: readonly string[]): Promise<readonly TopicMetadata[]>;
  listOffsets(
    nodeId: string,
    timestamp: number,
    topics: readonly { topic: string; partitions: readonly number[] }[],
  ): Promise<ListOffsetsResponse>;
  describeTopicConfigs(topics: readonly string[], configNames: readonly string[]): Promise<DescribeConfigsResponse>;
  fetch(
    nodeId: string,
    partitions: readonly { topic: string; partition: number; offset: bigint }[],
    partitionMaxBytes: number,
  ): Promise<FetchResponse>;
  disconnect(): Promise<void>;
}

export interface WireOptions {
  onRequest?: (request: { apiName: string; broker: string }) => void;
}

/** A connected wire client for one cluster. Throws (kafkajs errors) when no broker answers. */
export async function connectWire(config: KafkaConfig, options: WireOptions = {}): Promise<KafkaWire> {
  const emitter = new InstrumentationEventEmitter();
  if (options.onRequest) {
    const onRequest = options.onRequest;
    emitter.addListener('network.request', (event) => onRequest({ apiName: event.payload.apiName, broker: event.payload.broker }));
  }
  const cluster = new Cluster({
    logger: loggers.createLogger({ level: loggers.LEVELS.NOTHING, logCreator: LoggerConsole }),
    socketFactory: config.socketFactory ?? socketFactory(),
    brokers: config.brokers,
    ssl: config.ssl,
    sasl: config.sasl,
    clientId: config.clientId,
    connectionTimeout: config.connectionTimeout,
    authenticationTimeout: config.authenticationTimeout,
    requestTimeout: config.requestTimeout,
    enforceRequestTimeout: config.enforceRequestTimeout,
    retry: config.retry,
    metadataMaxAge: 300_000,
    // A Metadata request must never create the topic it asks about (a deleted topic stays deleted).
    allowAutoTopicCreation: false,
    instrumentationEmitter: emitter,
  });
  await cluster.connect();
  // The broker list, so leaders and coordinators can be reached (kafkajs sends an empty topic list
  // as null, so this one cold-start read also carries every topic's metadata; warm runs skip it).
  await cluster.refreshMetadata();

  // kafkajs's Connection.connect() is not single-flight: requests sent at once on a connection
  // that is not open yet each open a socket, and all but the last are never closed (at 10,000
  // groups that kept a finished process alive for minutes). Open each connection once.
  const opening = new Map<InternalConnection, Promise<unknown>>();
  async function open(connection: InternalConnection | undefined): Promise<void> {
    if (!connection || connection.isConnected()) return;
    let pending = opening.get(connection);
    if (!pending) {
      pending = connection.connect().finally(() => opening.delete(connection));
      opening.set(connection, pending);
    }
    await pending;
  }

  async function send<T>(broker: InternalBroker, apiName: string, args: Record<string, unknown>): Promise<T> {
    const apiKey = apiKeys[apiName];
    if (apiKey === undefined) throw new Error(`unknown Kafka API ${apiName}`);
    await open(broker.connectionPool.pool[apiName === 'Fetch' ? 1 : 0]);
    const protocol = broker.lookupRequest(apiKey, requests[apiName])(args);
    const decodeOnly = { decode: protocol.response.decode, parse: async (decoded: unknown) => decoded };
    return (await broker.connectionPool.send({ request: protocol.request, response: decodeOnly, logResponseError: false })) as T;
  }

  async function anyBroker(): Promise<InternalBroker> {
    const [first] = cluster.getNodeIds();
    if (first === undefined) throw new Error('the cluster returned no brokers');
    return cluster.findBroker({ nodeId: first });
  }

  const broker = (nodeId: string): Promise<InternalBroker> => cluster.findBroker({ nodeId });

  return {
    async nodeIds() {
      return cluster.getNodeIds();
    },
    async refreshBrokers() {
      await cluster.refreshMetadata();
    },
    async listGroups(nodeId) {
      const out = await send<{ errorCode: number; groups: ListedGroup[] }>(await broker(nodeId), 'ListGroups', {});
      if (out.errorCode !== ErrorCode.None) {
        throw new KafkaWireError(`ListGroups on broker ${nodeId} answered ${errorName(out.errorCode)}`, out.errorCode);
      }
      return out.groups;
    },
    async findCoordinator(groupId) {
      const coordinator = await cluster.findGroupCoordinator({ groupId });
      return String(coordinator.nodeId);
    },
    async offsetFetch(nodeId, groupId) {
      // An empty topic list is sent as null: every topic the group has committed offsets for.
      return send<OffsetFetchResponse>(await broker(nodeId), 'OffsetFetch', { groupId, topics: [] });
    },
    async describeGroups(nodeId, groupIds) {
      const out = await send<{ groups: DescribedGroup[] }>(await broker(nodeId), 'DescribeGroups', { groupIds });
      return out.groups;
    },
    async metadata(topics) {
      if (topics.length === 0) return [];
      const out = await send<{ topicMetadata: TopicMetadata[] }>(await anyBroker(), 'Metadata', {
        topics,
        allowAutoTopicCreation: false,
      });
      return out.topicMetadata;
    },
    async listOffsets(nodeId, timestamp, topics) {
      return send<ListOffsetsResponse>(await broker(nodeId), 'ListOffsets', {
        replicaId: -1,
        isolationLevel: READ_COMMITTED,
        topics: topics.map(({ topic, partitions }) => ({ topic, partitions: partitions.map((partition) => ({ partition, timestamp })) })),
      });
    },
    async describeTopicConfigs(topics, configNames) {
      return send<DescribeConfigsResponse>(await anyBroker(), 'DescribeConfigs', {
        resources: topics.map((name) => ({ type: TOPIC_RESOURCE, name, configNames })),
        includeSynonyms: false,
      });
    },
    async fetch(nodeId, partitions, partitionMaxBytes) {
      const byTopic = new Map<string, { partition: number; fetchOffset: string; maxBytes: number }[]>();
      for (const p of partitions) {
        const list = byTopic.get(p.topic) ?? [];
        list.push({ partition: p.partition, fetchOffset: p.offset.toString(), maxBytes: partitionMaxBytes });
        byTopic.set(p.topic, list);
      }
      return send<FetchResponse>(await broker(nodeId), 'Fetch', {
        replicaId: -1,
        isolationLevel: READ_COMMITTED,
        // Answer at once with whatever is there: this is a read of existing records, not a poll.
        maxWaitTime: 0,
        minBytes: 1,
        maxBytes: partitionMaxBytes * partitions.length,
        topics: [...byTopic].map(([topic, list]) => ({ topic, partitions: list })),
      });
    },
    async disconnect() {
      await cluster.disconnect();
    },
  };
}
