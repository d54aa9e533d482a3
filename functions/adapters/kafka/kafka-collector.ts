// OffsetCollector on kafkajs's protocol layer (kafka-wire.ts). lagwatch never joins a consumer group,
// or it would show up in its own results. One run:
//   ListGroups per broker (the lister is the coordinator) → OffsetFetch per group (bounded
//   concurrency) and DescribeGroups per coordinator in batches → one Metadata for all topics →
//   ListOffsets latest + earliest per leader → DescribeConfigs retention.ms (cached, ≤ hourly) →
//   one-record Fetches per leader for lagging partitions (cached by topic, partition, offset).
// Only a topic that Metadata says does not exist counts as deleted; any other read error on a
// topic makes every group that reads it a failure of this run (recorded, never judged on partial
// data). A signal that cannot be read (log start, retention, record timestamp, assignments) is
// flagged per partition in `missingSignals` and the run goes on.
//
// Which end offset is reported: ListOffsets is sent with isolation level READ_COMMITTED, so on a
// transactional topic the log-end offset is the *last stable offset* (LSO), not the high watermark
// Kafka's kafka-consumer-groups CLI shows. The LSO is what a read_committed consumer can reach; the
// gap of one commit marker per transaction is what policy.allowedLag absorbs. On topics without
// open transactions LSO = high watermark, so the two tools agree.
//
// The group steps are in kafka-groups.ts, the topic steps in kafka-topics.ts; this file keeps the
// client and caches of a warm Lambda and composes one run from the two.
import type { KafkaConfig } from 'kafkajs';
import { mapLimit } from '../../app/pool.js';
import type { OffsetCollector } from '../../app/ports.js';
import { groupFilter, type ClusterConfig } from '../../config/cluster.js';
import { CollectorError } from '../../core/errors.js';
import { checkShard, inShard, isWholeCluster, shardLabel, WHOLE_CLUSTER, type Shard } from '../../core/shard.js';
import {
  MissingSignal,
  type ClusterSnapshot,
  type GroupFailure,
  type GroupSnapshot,
  type PartitionOffsets,
} from '../../core/types.js';
import { buildKafkaConfig, type ConnectionDeps } from './kafka-connection.js';
import { ClusterFailure, classifyKafkaError, describeKafkaError } from './kafka-errors.js';
import { UNKNOWN_DESCRIPTION, byName, describeAll, listGroups, readGroup } from './kafka-groups.js';
import { readTopics, recordTimestamps, retentions, type RecordTimestampCache, type RetentionCache } from './kafka-topics.js';
import { connectWire, type KafkaWire } from './kafka-wire.js';

export interface KafkaCollectorOptions extends ConnectionDeps {
  /** Called for every Kafka request the client sends (benchmarks count them). */
  onRequest?: (request: { apiName: string; broker: string }) => void;
  /** Groups described per DescribeGroups request. */
  describeBatchSize?: number;
  /** Clock for the retention cache (default Date.now). */
  now?: () => number;
  /** false: offsets only, no §6.1 signal reads (bench:collect measures what the signals cost). */
  signals?: boolean;
}

interface ClusterState {
  wire: Promise<KafkaWire> | null;
  /** Per shard label: (topic, partition, offset) → record timestamp (ms), or -1 for a record without
   * one. Per shard because one warm Lambda may run the schedules of several shards in turn, and each
   * keeps only what its last run used. */
  recordTimestamps: RecordTimestampCache;
  retention: RetentionCache;
}

// Module scope: a warm Lambda reuses the connected client and the caches across invocations.
const states = new Map<string, ClusterState>();
const configs = new Map<string, Promise<KafkaConfig>>();

function clientKey(cluster: ClusterConfig): string {
  return JSON.stringify(cluster);
}

const recordKey = (topic: string, partition: number, offset: bigint): string => `${topic}\u0000${partition}\u0000${offset}`;

export function createKafkaCollector(cluster: ClusterConfig, options: KafkaCollectorOptions = {}): OffsetCollector {
  const key = clientKey(cluster);
  const accepts = groupFilter(cluster.groups);
  const describeBatchSize = options.describeBatchSize ?? 100;
  const now = options.now ?? Date.now;
  const signals = options.signals ?? true;

  function state(): ClusterState {
    let s = states.get(key);
    if (!s) {
      s = { wire: null, recordTimestamps: new Map(), retention: new Map() };
      states.set(key, s);
    }
    return s;
  }

  async function config(): Promise<KafkaConfig> {
    let pending = configs.get(key);
    if (!pending) {
      pending = buildKafkaConfig(cluster, options);
      configs.set(key, pending);
      pending.catch(() => configs.delete(key));
    }
    return pending;
  }

  async function client(): Promise<KafkaWire> {
    const s = state();
    if (!s.wire) {
      const pending = config().then((c) => connectWire(c, options.onRequest ? { onRequest: options.onRequest } : {}));
      s.wire = pending;
      pending.catch(() => {
        if (s.wire === pending) s.wire = null;
      });
    }
    return s.wire;
  }

  async function reset(): Promise<void> {
    const s = states.get(key);
    if (!s?.wire) return;
    const pending = s.wire;
    s.wire = null;
    await pending.then((w) => w.disconnect()).catch(() => {});
  }

  async function collectOnce(timestamp: number, shard: Shard): Promise<ClusterSnapshot> {
    const wire = await client();
    // Every group is listed (one cheap ListGroups per broker); only this shard's are read.
    const coordinators = await listGroups(wire);
    const groupIds = [...coordinators.keys()].filter((g) => accepts(g) && inShard(g, shard)).sort(byName);

    const [offsets, descriptions] = await Promise.all([
      mapLimit(groupIds, cluster.concurrency, (g) => readGroup(wire, g, coordinators.get(g) ?? '')),
      describeAll(wire, coordinators, groupIds, describeBatchSize),
    ]);
    const topicSet = new Set<string>();
    for (const o of offsets) if ('topics' in o) for (const t of o.topics.keys()) topicSet.add(t);
    const topics = [...topicSet].sort(byName);
    const { reads, deleted, failed } = await readTopics(wire, topics, signals);
    const retention = signals ? await retentions(wire, [...reads.keys()], state().retention, now) : new Map<string, number>();

    // Lagging partitions: the record the group reads next. When retention already deleted the
    // committed offset, that is the oldest record still in the log.
    const wanted = new Map<string, { topic: string; partition: number; offset: bigint; leader: string }>();
    const nextRecord = (topic: string, partition: number, committed: bigint | null): string | null => {
      const r = reads.get(topic);
      const end = r?.ends.get(partition);
      const leader = r?.leaders.get(partition);
      if (!r || committed === null || end === undefined || leader === undefined || committed >= end) return null;
      const start = r.starts.get(partition);
      const offset = start !== undefined && committed < start ? start : committed;
      if (offset >= end) return null;
      const k = recordKey(topic, partition, offset);
      wanted.set(k, { topic, partition, offset, leader });
      return k;
    };
    for (const o of offsets) {
      if (!signals || !('topics' in o)) continue;
      for (const [topic, committed] of o.topics) for (const [p, c] of committed) nextRecord(topic, p, c);
    }
    const stamps = signals ? await recordTimestamps(wire, wanted, state().recordTimestamps, shardLabel(shard)) : new Map<string, number>();

    const groups: GroupSnapshot[] = [];
    const failures: GroupFailure[] = [];
    for (const o of offsets) {
      if (!('topics' in o)) {
        failures.push(o);
        continue;
      }
      const unread = [...o.topics.keys()].filter((t) => failed.has(t)).sort(byName);
      if (unread.length > 0) {
        failures.push({ group: o.group, error: unread.map((t) => `topic ${t}: ${failed.get(t)}`).join('; ') });
        continue;
      }
      const d = descriptions.get(o.group) ?? UNKNOWN_DESCRIPTION;
      const partitions: PartitionOffsets[] = [];
      for (const [topic, committed] of [...o.topics].sort(([a], [b]) => byName(a, b))) {
        const r = reads.get(topic);
        if (deleted.has(topic) || !r) {
          // Deleted: log end unknown (null), never lag 0; the evaluator reports the topic gone.
          for (const [partition, c] of [...committed].sort(([a], [b]) => a - b)) {
            partitions.push({ topic, partition, committedOffset: c, logEndOffset: null });
          }
          continue;
        }
        const retentionMs = retention.get(topic) ?? null;
        // Every partition of a topic the group reads: one it never committed on shows as null.
        const ids = new Set<number>([...committed.keys(), ...r.ends.keys()]);
        for (const partition of [...ids].sort((a, b) => a - b)) {
          const committedOffset = committed.get(partition) ?? null;
          const logEndOffset = r.ends.get(partition) ?? null;
          if (!signals) {
            partitions.push({ topic, partition, committedOffset, logEndOffset });
            continue;
          }
          const logStartOffset = r.starts.get(partition) ?? null;
          const missing: MissingSignal[] = [];
          if (logStartOffset === null) missing.push(MissingSignal.LogStart);
          if (retentionMs === null) missing.push(MissingSignal.Retention);
          const k = nextRecord(topic, partition, committedOffset);
          let recordTs: number | null | undefined;
          if (k !== null) {
            const ts = stamps.get(k);
            recordTs = ts !== undefined && ts >= 0 ? ts : null;
            if (recordTs === null) missing.push(MissingSignal.RecordTimestamp);
          }
          if (d.assignments === null) missing.push(MissingSignal.Assignments);
          partitions.push({
            topic,
            partition,
            committedOffset,
            logEndOffset,
            logStartOffset,
            retentionMs,
            ...(recordTs !== undefined ? { committedRecordTimestamp: recordTs } : {}),
            ...(missing.length > 0 ? { missingSignals: missing } : {}),
          });
        }
      }
      groups.push({
        cluster: cluster.name,
        group: o.group,
        timestamp,
        state: d.state,
        members: d.members,
        ...(signals ? { assignments: d.assignments ?? null } : {}),
        partitions,
      });
    }
    return { cluster: cluster.name, timestamp, groups, failures, listedGroups: groupIds, ...(isWholeCluster(shard) ? {} : { shard }) };
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
    async collect(timestamp: number, shard: Shard = WHOLE_CLUSTER): Promise<ClusterSnapshot> {
      checkShard(shard, `cluster ${cluster.name}`);
      const reused = states.get(key)?.wire != null;
      try {
        return await collectOnce(timestamp, shard);
      } catch (error) {
        const original = error instanceof ClusterFailure ? error.original : error;
        // One fresh client and one more try: a socket that died while a Lambda was frozen.
        const retry = reused && classifyKafkaError(original) === 'connection';
        await reset();
        if (!retry) throw toCollectorError(error);
        try {
          return await collectOnce(timestamp, shard);
        } catch (second) {
          await reset();
          throw toCollectorError(second);
        }
      }
    },
    async close(): Promise<void> {
      await reset();
      states.delete(key);
      configs.delete(key);
    },
  };
}
