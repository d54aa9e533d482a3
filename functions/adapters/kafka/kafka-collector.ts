// OffsetCollector on kafkajs (admin client only: lagwatch never joins a consumer group, or it would
// show up in its own results). One run: ListGroups → per group OffsetFetch (bounded concurrency) and
// DescribeGroups (batched, best effort) → ListOffsets once per distinct topic.
//
// Which end offset is reported: kafkajs's ListOffsets uses isolation level READ_COMMITTED, so on a
// transactional topic the log-end offset is the *last stable offset* (LSO), not the high watermark
// Kafka's kafka-consumer-groups CLI shows. The LSO is what a read_committed consumer can reach; the
// gap of one commit marker per transaction is what policy.allowedLag absorbs. On topics without
// open transactions LSO = high watermark, so the two tools agree.
import { Kafka, logLevel, type Admin, type KafkaConfig } from 'kafkajs';
import type { OffsetCollector } from '../../app/ports.js';
import { groupFilter, type ClusterConfig } from '../../config/cluster.js';
import { CollectorError } from '../../core/errors.js';
import { parseOffset } from '../../core/offsets.js';
import {
  GroupState,
  type ClusterSnapshot,
  type GroupFailure,
  type GroupSnapshot,
  type PartitionOffsets,
} from '../../core/types.js';
import { buildKafkaConfig, type ConnectionDeps } from './kafka-connection.js';
import { classifyKafkaError, describeKafkaError, isClusterLevelError, rootMessage } from './kafka-errors.js';

export interface KafkaCollectorOptions extends ConnectionDeps {
  /** Called for every Kafka request the admin client sends (benchmarks count them). */
  onRequest?: (request: { apiName: string; broker: string }) => void;
  /** Groups described per DescribeGroups batch. */
  describeBatchSize?: number;
  /** Test seam: runs after committed offsets are read and before log-end offsets are (to delete a
   * topic or stop the broker "mid-collection" deterministically). */
  afterCommittedOffsets?: () => Promise<void>;
}

interface AdminEntry {
  admin: Admin;
  connected: Promise<void>;
}

// Module scope: a warm Lambda reuses the connected admin client across invocations.
const admins = new Map<string, AdminEntry>();
const configs = new Map<string, Promise<KafkaConfig>>();

function clientKey(cluster: ClusterConfig): string {
  return JSON.stringify(cluster);
}

const KNOWN_STATES = new Set<string>(Object.values(GroupState));

function toGroupState(state: string | undefined): GroupState {
  return state !== undefined && KNOWN_STATES.has(state) ? (state as GroupState) : GroupState.Unknown;
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

interface GroupOffsets {
  group: string;
  topics: Map<string, Map<number, bigint | null>>;
}

interface Description {
  state: GroupState;
  members: number | null;
}

const UNKNOWN_DESCRIPTION: Description = { state: GroupState.Unknown, members: null };

/** Aborts the run: the cluster itself failed, so no snapshot may look complete. */
class ClusterFailure extends Error {
  constructor(readonly original: unknown) {
    super('cluster failure');
  }
}

export function createKafkaCollector(cluster: ClusterConfig, options: KafkaCollectorOptions = {}): OffsetCollector {
  const key = clientKey(cluster);
  const accepts = groupFilter(cluster.groups);
  const describeBatchSize = options.describeBatchSize ?? 100;

  async function config(): Promise<KafkaConfig> {
    let pending = configs.get(key);
    if (!pending) {
      pending = buildKafkaConfig(cluster, options);
      configs.set(key, pending);
      pending.catch(() => configs.delete(key));
    }
    return pending;
  }

  async function client(): Promise<Admin> {
    let entry = admins.get(key);
    if (!entry) {
      const kafka = new Kafka({ ...(await config()), logLevel: logLevel.NOTHING });
      const admin = kafka.admin({ retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 } });
      if (options.onRequest) {
        const onRequest = options.onRequest;
        admin.on(admin.events.REQUEST, (event) => onRequest({ apiName: event.payload.apiName, broker: event.payload.broker }));
      }
      entry = { admin, connected: admin.connect() };
      admins.set(key, entry);
    }
    try {
      await entry.connected;
    } catch (error) {
      await reset();
      throw error;
    }
    return entry.admin;
  }

  async function reset(): Promise<void> {
    const entry = admins.get(key);
    admins.delete(key);
    if (entry) await entry.admin.disconnect().catch(() => {});
  }

  async function fetchGroupOffsets(admin: Admin, group: string): Promise<GroupOffsets | GroupFailure> {
    try {
      const topics = await admin.fetchOffsets({ groupId: group });
      const byTopic = new Map<string, Map<number, bigint | null>>();
      for (const { topic, partitions } of topics) {
        const offsets = new Map<number, bigint | null>();
        // -1: no commit on this partition. Kept as null, so it is never reported as lag 0.
        for (const p of partitions) offsets.set(p.partition, parseOffset(p.offset));
        byTopic.set(topic, offsets);
      }
      return { group, topics: byTopic };
    } catch (error) {
      if (isClusterLevelError(error)) throw new ClusterFailure(error);
      return { group, error: rootMessage(error) };
    }
  }

  async function describeOne(admin: Admin, group: string): Promise<Description> {
    try {
      const { groups } = await admin.describeGroups([group]);
      const d = groups[0];
      return d ? { state: toGroupState(d.state), members: d.members.length } : UNKNOWN_DESCRIPTION;
    } catch (error) {
      if (isClusterLevelError(error)) throw new ClusterFailure(error);
      // Kafka 4 consumer-protocol groups are invisible to classic DescribeGroups: best effort.
      return UNKNOWN_DESCRIPTION;
    }
  }

  /** DescribeGroups per batch (one request per coordinator); a batch holding a group the broker
   * refuses to describe falls back to one request per group. */
  async function describeAll(admin: Admin, groups: readonly string[]): Promise<Map<string, Description>> {
    const out = new Map<string, Description>();
    const batches: string[][] = [];
    for (let i = 0; i < groups.length; i += describeBatchSize) batches.push(groups.slice(i, i + describeBatchSize));
    await mapLimit(batches, 2, async (batch) => {
      try {
        const { groups: described } = await admin.describeGroups(batch);
        for (const d of described) out.set(d.groupId, { state: toGroupState(d.state), members: d.members.length });
      } catch (error) {
        if (isClusterLevelError(error)) throw new ClusterFailure(error);
        const single = await mapLimit(batch, cluster.concurrency, (g) => describeOne(admin, g));
        batch.forEach((g, i) => out.set(g, single[i] ?? UNKNOWN_DESCRIPTION));
      }
    });
    return out;
  }

  /** Log-end offset per topic and partition; a topic that vanished maps to null. `stale` lists
   * existing topics kafkajs failed on because its metadata still names a deleted topic. */
  async function fetchEndOffsets(
    admin: Admin,
    topics: readonly string[],
  ): Promise<{ ends: Map<string, Map<number, bigint> | null>; stale: string[] }> {
    const ends = new Map<string, Map<number, bigint> | null>();
    const stale: string[] = [];
    if (topics.length === 0) return { ends, stale };
    const existing = new Set(await admin.listTopics());
    await mapLimit(topics, cluster.concurrency, async (topic) => {
      if (!existing.has(topic)) {
        ends.set(topic, null);
        return;
      }
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        const byPartition = new Map<number, bigint>();
        for (const o of offsets) {
          const end = parseOffset(o.high);
          if (end !== null) byPartition.set(o.partition, end);
        }
        ends.set(topic, byPartition);
      } catch (error) {
        if (isClusterLevelError(error)) throw new ClusterFailure(error);
        ends.set(topic, null); // deleted mid-collection: log end unknown, not a crash
        if (classifyKafkaError(error) === 'unknown-topic') stale.push(topic);
      }
    });
    return { ends, stale };
  }

  /** End offsets; when kafkajs's metadata was poisoned by a topic deleted meanwhile (it keeps
   * refreshing every topic it ever saw), one fresh client retries the topics that still exist. */
  async function endOffsets(admin: Admin, topics: readonly string[]): Promise<Map<string, Map<number, bigint> | null>> {
    const first = await fetchEndOffsets(admin, topics);
    if (first.stale.length === 0) return first.ends;
    await reset();
    const second = await fetchEndOffsets(await client(), first.stale);
    for (const [topic, end] of second.ends) first.ends.set(topic, end);
    return first.ends;
  }

  async function collectOnce(timestamp: number): Promise<ClusterSnapshot> {
    const admin = await client();
    const { groups: listed } = await admin.listGroups();
    const groupIds = [...new Set(listed.map((g) => g.groupId))].filter(accepts).sort();

    const [offsets, descriptions] = await Promise.all([
      mapLimit(groupIds, cluster.concurrency, (g) => fetchGroupOffsets(admin, g)),
      describeAll(admin, groupIds),
    ]);
    const topics = new Set<string>();
    for (const o of offsets) if ('topics' in o) for (const t of o.topics.keys()) topics.add(t);
    if (options.afterCommittedOffsets) await options.afterCommittedOffsets();
    const ends = await endOffsets(admin, [...topics].sort());

    const groups: GroupSnapshot[] = [];
    const failures: GroupFailure[] = [];
    for (const o of offsets) {
      if (!('topics' in o)) {
        failures.push(o);
        continue;
      }
      const partitions: PartitionOffsets[] = [];
      for (const [topic, committed] of [...o.topics].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const end = ends.get(topic) ?? null;
        // Every partition of a topic the group reads: one it never committed on shows as null.
        const ids = new Set<number>([...committed.keys(), ...(end ? end.keys() : [])]);
        for (const partition of [...ids].sort((a, b) => a - b)) {
          partitions.push({
            topic,
            partition,
            committedOffset: committed.get(partition) ?? null,
            logEndOffset: end?.get(partition) ?? null,
          });
        }
      }
      const d = descriptions.get(o.group) ?? UNKNOWN_DESCRIPTION;
      groups.push({ cluster: cluster.name, group: o.group, timestamp, state: d.state, members: d.members, partitions });
    }
    return { cluster: cluster.name, timestamp, groups, failures, listedGroups: groupIds };
  }

  function toCollectorError(error: unknown): CollectorError {
    const original = error instanceof ClusterFailure ? error.original : error;
    if (original instanceof CollectorError) return original;
    if (original instanceof Error && original.name === 'ConfigError') throw original;
    return new CollectorError(describeKafkaError(cluster, original), {
      cause: original,
      context: { cluster: cluster.name, brokers: cluster.brokers.join(',') },
    });
  }

  return {
    async collect(timestamp: number): Promise<ClusterSnapshot> {
      const reused = admins.has(key);
      try {
        return await collectOnce(timestamp);
      } catch (error) {
        const original = error instanceof ClusterFailure ? error.original : error;
        const kind = classifyKafkaError(original);
        // One fresh client and one more try: a socket that died while a Lambda was frozen, or
        // kafkajs metadata still naming a topic that has since been deleted.
        const retry = (reused && kind === 'connection') || kind === 'unknown-topic';
        await reset();
        if (!retry) throw toCollectorError(error);
        try {
          return await collectOnce(timestamp);
        } catch (second) {
          await reset();
          throw toCollectorError(second);
        }
      }
    },
    async close(): Promise<void> {
      await reset();
      configs.delete(key);
    },
  };
}
