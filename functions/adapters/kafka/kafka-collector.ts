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
import { AssignerProtocol, type KafkaConfig } from 'kafkajs';
import { mapLimit } from '../../app/pool.js';
import type { OffsetCollector } from '../../app/ports.js';
import { groupFilter, type ClusterConfig } from '../../config/cluster.js';
import { CollectorError } from '../../core/errors.js';
import { parseOffset } from '../../core/offsets.js';
import { checkShard, inShard, isWholeCluster, shardLabel, WHOLE_CLUSTER, type Shard } from '../../core/shard.js';
import {
  GroupState,
  MissingSignal,
  type ClusterSnapshot,
  type GroupFailure,
  type GroupSnapshot,
  type PartitionOffsets,
} from '../../core/types.js';
import { buildKafkaConfig, type ConnectionDeps } from './kafka-connection.js';
import { classifyKafkaError, describeKafkaError, isClusterLevelError, rootMessage } from './kafka-errors.js';
import {
  EARLIEST,
  ErrorCode,
  LATEST,
  connectWire,
  errorName,
  type DescribedGroup,
  type FetchResponse,
  type KafkaWire,
} from './kafka-wire.js';

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

/** retention.ms changes rarely; read it at most this often per topic. */
export const RETENTION_REFRESH_MS = 3_600_000;
/** One-record Fetch: bytes asked per partition, partitions per request. Kafka returns whole record
 * batches, so a batch larger than this comes back empty and is asked again alone (1 MiB; Kafka
 * always returns the first batch of the first partition whatever its size). */
const FETCH_PARTITION_BYTES = 64 * 1024;
const FETCH_SINGLE_BYTES = 1024 * 1024;
const FETCH_BATCH = 100;
/** Leaders (brokers) read in parallel for ListOffsets and Fetch. */
const BROKER_CONCURRENCY = 4;

interface ClusterState {
  wire: Promise<KafkaWire> | null;
  /** Per shard label: (topic, partition, offset) → record timestamp (ms), or -1 for a record without
   * one. Per shard because one warm Lambda may run the schedules of several shards in turn, and each
   * keeps only what its last run used. */
  recordTimestamps: Map<string, Map<string, number>>;
  /** topic → retention.ms and when it was read. */
  retention: Map<string, { value: number; readAt: number }>;
}

// Module scope: a warm Lambda reuses the connected client and the caches across invocations.
const states = new Map<string, ClusterState>();
const configs = new Map<string, Promise<KafkaConfig>>();

function clientKey(cluster: ClusterConfig): string {
  return JSON.stringify(cluster);
}

const KNOWN_STATES = new Set<string>(Object.values(GroupState));

function toGroupState(state: string | undefined): GroupState {
  return state !== undefined && KNOWN_STATES.has(state) ? (state as GroupState) : GroupState.Unknown;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface GroupOffsets {
  group: string;
  topics: Map<string, Map<number, bigint | null>>;
}

interface Description {
  state: GroupState;
  members: number | null;
  /** undefined: not applicable (no members); null: unknown, flagged. */
  assignments: Record<string, number[]> | null | undefined;
}

const UNKNOWN_DESCRIPTION: Description = { state: GroupState.Unknown, members: null, assignments: null };

/** Aborts the run: the cluster itself failed, so no snapshot may look complete. */
class ClusterFailure extends Error {
  constructor(readonly original: unknown) {
    super('cluster failure');
  }
}

/** Rethrows cluster-level errors as ClusterFailure; returns the message of any other. */
function localError(error: unknown): string {
  if (isClusterLevelError(error)) throw new ClusterFailure(error);
  return rootMessage(error);
}

/** ListOffsets / Metadata codes of a leader that is moving: LEADER_NOT_AVAILABLE,
 * NOT_LEADER_FOR_PARTITION, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH. */
const LEADER_MOVED = new Set<number>([5, 6, 74, 75]);
const LEADER_RETRY_DELAY_MS = 500;

const COORDINATOR_MOVED = new Set<number>([
  ErrorCode.NotCoordinator,
  ErrorCode.CoordinatorNotAvailable,
  ErrorCode.CoordinatorLoadInProgress,
]);

/** Union of the members' assigned partitions (classic consumer protocol), sorted; null when a
 * member's assignment cannot be decoded (another protocol, e.g. Kafka Connect). */
export function decodeAssignments(group: Pick<DescribedGroup, 'protocolType' | 'members'>): Record<string, number[]> | null {
  if (group.protocolType !== 'consumer') return null;
  const union = new Map<string, Set<number>>();
  for (const m of group.members) {
    if (!m.memberAssignment || m.memberAssignment.length === 0) continue; // assigned nothing
    let decoded;
    try {
      decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
    } catch {
      return null;
    }
    if (!decoded) continue;
    for (const [topic, partitions] of Object.entries(decoded.assignment)) {
      const set = union.get(topic) ?? new Set<number>();
      for (const p of partitions) set.add(p);
      union.set(topic, set);
    }
  }
  const out: Record<string, number[]> = {};
  for (const topic of [...union.keys()].sort(byName)) out[topic] = [...(union.get(topic) ?? [])].sort((a, b) => a - b);
  return out;
}

function describe(d: DescribedGroup): Description {
  if (d.errorCode !== ErrorCode.None) return UNKNOWN_DESCRIPTION; // e.g. a Kafka 4 consumer-protocol group
  const state = toGroupState(d.state);
  const members = d.members.length;
  if (members === 0) return { state, members, assignments: undefined };
  // Kafka only returns member assignments for a Stable group; during a rebalance they are unknown.
  const assignments = state === GroupState.Stable ? decodeAssignments(d) : null;
  return { state, members, assignments };
}

const recordKey = (topic: string, partition: number, offset: bigint): string => `${topic}\u0000${partition}\u0000${offset}`;

interface TopicRead {
  /** partition → log-end offset. */
  ends: Map<number, bigint>;
  /** partition → log-start offset; missing partitions are flagged. */
  starts: Map<number, bigint>;
  leaders: Map<number, string>;
}

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

  /** Every group on every broker, with the broker that listed it (its coordinator). */
  async function listGroups(wire: KafkaWire): Promise<Map<string, string>> {
    const nodes = await wire.nodeIds();
    const listed = await mapLimit(nodes, BROKER_CONCURRENCY, async (node) => {
      try {
        return { node, groups: await wire.listGroups(node) };
      } catch (error) {
        // A broker whose groups cannot be listed: those groups would look gone. Fail the run.
        throw new ClusterFailure(error);
      }
    });
    const coordinators = new Map<string, string>();
    for (const { node, groups } of listed) for (const g of groups) if (!coordinators.has(g.groupId)) coordinators.set(g.groupId, node);
    return coordinators;
  }

  async function readGroup(wire: KafkaWire, group: string, coordinator: string): Promise<GroupOffsets | GroupFailure> {
    let node = coordinator;
    for (let attempt = 0; ; attempt++) {
      let out;
      try {
        out = await wire.offsetFetch(node, group);
      } catch (error) {
        return { group, error: `OffsetFetch to broker ${node} failed: ${localError(error)}` };
      }
      const code = out.errorCode ?? ErrorCode.None;
      if (COORDINATOR_MOVED.has(code) && attempt === 0) {
        // The coordinator moved since ListGroups: look it up once and ask again.
        try {
          node = await wire.findCoordinator(group);
        } catch (error) {
          return { group, error: `coordinator moved (${errorName(code)}) and FindCoordinator failed: ${localError(error)}` };
        }
        continue;
      }
      if (code !== ErrorCode.None) return { group, error: `OffsetFetch on broker ${node} answered ${errorName(code)}` };
      const topics = new Map<string, Map<number, bigint | null>>();
      for (const { topic, partitions } of out.responses) {
        const offsets = new Map<number, bigint | null>();
        for (const p of partitions) {
          if (p.errorCode !== ErrorCode.None) {
            return { group, error: `OffsetFetch on broker ${node} answered ${errorName(p.errorCode)} for ${topic}[${p.partition}]` };
          }
          // -1: no commit on this partition. Kept as null, so it is never reported as lag 0.
          offsets.set(p.partition, parseOffset(p.offset));
        }
        topics.set(topic, offsets);
      }
      return { group, topics };
    }
  }

  /** DescribeGroups per coordinator in batches; best effort (state Unknown where it fails). */
  async function describeAll(wire: KafkaWire, coordinators: Map<string, string>, groups: readonly string[]): Promise<Map<string, Description>> {
    const byNode = new Map<string, string[]>();
    for (const g of groups) {
      const node = coordinators.get(g) ?? '';
      const list = byNode.get(node);
      if (list) list.push(g);
      else byNode.set(node, [g]);
    }
    const batches = [...byNode].flatMap(([node, list]) => chunks(list, describeBatchSize).map((batch) => ({ node, batch })));
    const out = new Map<string, Description>();
    await mapLimit(batches, 2, async ({ node, batch }) => {
      try {
        for (const d of await wire.describeGroups(node, batch)) out.set(d.groupId, describe(d));
      } catch (error) {
        localError(error);
      }
    });
    return out;
  }

  interface TopicReads {
    reads: Map<string, TopicRead>;
    deleted: Set<string>;
    failed: Map<string, string>;
    /** Failed topics whose error is a leader moving (worth one more read). */
    leaderMoved: Set<string>;
  }

  /** Topic reads; topics that failed because a leader was moving (just created, or a leader
   * election) are read once more with fresh metadata, as kafkajs's own clients retry them. */
  async function readTopics(wire: KafkaWire, topics: readonly string[]): Promise<TopicReads> {
    const first = await readTopicsOnce(wire, topics);
    if (first.leaderMoved.size === 0) return first;
    await new Promise((resolve) => setTimeout(resolve, LEADER_RETRY_DELAY_MS));
    const again = await readTopicsOnce(wire, [...first.leaderMoved]);
    for (const t of first.leaderMoved) {
      first.failed.delete(t);
      const read = again.reads.get(t);
      const failure = again.failed.get(t);
      if (read) first.reads.set(t, read);
      else if (again.deleted.has(t)) first.deleted.add(t);
      else if (failure !== undefined) first.failed.set(t, failure);
    }
    return first;
  }

  async function readTopicsOnce(wire: KafkaWire, topics: readonly string[]): Promise<TopicReads> {
    const reads = new Map<string, TopicRead>();
    const deleted = new Set<string>();
    const failed = new Map<string, string>();
    const leaderMoved = new Set<string>();
    if (topics.length === 0) return { reads, deleted, failed, leaderMoved };
    let metadata;
    try {
      metadata = await wire.metadata(topics);
    } catch (error) {
      const reason = `Metadata request failed: ${localError(error)}`;
      for (const t of topics) failed.set(t, reason);
      return { reads, deleted, failed, leaderMoved };
    }
    const answered = new Set(metadata.map((m) => m.topic));
    for (const t of topics) if (!answered.has(t)) failed.set(t, 'missing from the Metadata response');
    for (const m of metadata) {
      if (m.topicErrorCode === ErrorCode.UnknownTopicOrPartition) {
        deleted.add(m.topic);
        continue;
      }
      if (m.topicErrorCode !== ErrorCode.None) {
        failed.set(m.topic, `Metadata answered ${errorName(m.topicErrorCode)}`);
        continue;
      }
      const leaderless = m.partitionMetadata.find((p) => p.leader < 0);
      if (leaderless) {
        failed.set(m.topic, `partition ${leaderless.partitionId} has no leader (${errorName(leaderless.partitionErrorCode)})`);
        leaderMoved.add(m.topic);
        continue;
      }
      const leaders = new Map(m.partitionMetadata.map((p) => [p.partitionId, String(p.leader)] as const));
      reads.set(m.topic, { ends: new Map(), starts: new Map(), leaders });
    }
    const known = new Set(await wire.nodeIds());
    if ([...reads.values()].some((r) => [...r.leaders.values()].some((n) => !known.has(n)))) await wire.refreshBrokers();

    const byLeader = new Map<string, Map<string, number[]>>();
    for (const [topic, r] of reads) {
      for (const [partition, leader] of r.leaders) {
        const topicsOf = byLeader.get(leader) ?? new Map<string, number[]>();
        const list = topicsOf.get(topic);
        if (list) list.push(partition);
        else topicsOf.set(topic, [partition]);
        byLeader.set(leader, topicsOf);
      }
    }
    const fail = (topic: string, reason: string): void => {
      if (!failed.has(topic)) failed.set(topic, reason);
    };
    await mapLimit([...byLeader], BROKER_CONCURRENCY, async ([leader, topicsOf]) => {
      const request = [...topicsOf].map(([topic, partitions]) => ({ topic, partitions }));
      const [latest, earliest] = await Promise.all(
        (signals ? [LATEST, EARLIEST] : [LATEST]).map((timestamp) =>
          wire.listOffsets(leader, timestamp, request).then(
            (r) => ({ ok: true as const, r }),
            (error: unknown) => ({ ok: false as const, reason: localError(error) }),
          ),
        ),
      );
      if (!latest?.ok) {
        for (const { topic } of request) fail(topic, `ListOffsets to broker ${leader} failed: ${latest?.ok === false ? latest.reason : ''}`);
        return;
      }
      for (const { topic, partitions } of latest.r.responses) {
        const r = reads.get(topic);
        if (!r) continue;
        const bad = new Map<string, number[]>(); // error name → partitions, for one sentence per topic
        for (const p of partitions) {
          const offset = parseOffset(p.offset ?? p.offsets?.[0] ?? '-1');
          if (p.errorCode !== ErrorCode.None || offset === null) {
            if (LEADER_MOVED.has(p.errorCode)) leaderMoved.add(topic);
            const name = p.errorCode !== ErrorCode.None ? errorName(p.errorCode) : `offset ${p.offset ?? '?'}`;
            bad.set(name, [...(bad.get(name) ?? []), p.partition]);
          } else r.ends.set(p.partition, offset);
        }
        if (bad.size > 0) {
          const what = [...bad].map(([name, ps]) => `${name} for partition${ps.length > 1 ? 's' : ''} ${ps.sort((a, b) => a - b).join(', ')}`);
          fail(topic, `ListOffsets on broker ${leader} answered ${what.join('; ')}`);
        }
      }
      // The log start is a signal, not the lag: a partition without one is flagged, not failed.
      if (earliest?.ok) {
        for (const { topic, partitions } of earliest.r.responses) {
          const r = reads.get(topic);
          if (!r) continue;
          for (const p of partitions) {
            const offset = parseOffset(p.offset ?? p.offsets?.[0] ?? '-1');
            if (p.errorCode === ErrorCode.None && offset !== null) r.starts.set(p.partition, offset);
          }
        }
      }
    });
    for (const [topic, r] of reads) {
      if (failed.has(topic)) continue;
      const unanswered = [...r.leaders.keys()].find((p) => !r.ends.has(p));
      if (unanswered !== undefined) failed.set(topic, `ListOffsets returned no log-end offset for partition ${unanswered}`);
    }
    for (const t of failed.keys()) reads.delete(t);
    for (const t of leaderMoved) if (!failed.has(t)) leaderMoved.delete(t);
    return { reads, deleted, failed, leaderMoved };
  }

  /** retention.ms per topic: cached, read again at most hourly. A topic whose config cannot be
   * described (ACLs) is left out (flagged by the caller) and asked again next run. */
  async function retentions(wire: KafkaWire, topics: readonly string[]): Promise<Map<string, number>> {
    const cache = state().retention;
    const at = now();
    const stale = topics.filter((t) => {
      const c = cache.get(t);
      return !c || at - c.readAt >= RETENTION_REFRESH_MS;
    });
    for (const batch of chunks(stale, 1000)) {
      try {
        const { resources } = await wire.describeTopicConfigs(batch, ['retention.ms']);
        for (const r of resources) {
          const raw = r.configEntries.find((e) => e.configName === 'retention.ms')?.configValue;
          const value = raw === null || raw === undefined ? NaN : Number(raw);
          if (r.errorCode === ErrorCode.None && Number.isInteger(value)) cache.set(r.resourceName, { value, readAt: at });
          else cache.delete(r.resourceName);
        }
      } catch (error) {
        localError(error);
        for (const t of batch) cache.delete(t);
      }
    }
    const out = new Map<string, number>();
    for (const t of topics) {
      const c = cache.get(t);
      if (c) out.set(t, c.value);
    }
    return out;
  }

  /** The timestamp of the first record at or after `offset` in a Fetch response; undefined when the
   * response holds none (empty or truncated: ask again alone). */
  function firstTimestamp(response: FetchResponse, topic: string, partition: number, offset: bigint): number | 'error' | undefined {
    for (const t of response.responses) {
      if (t.topicName !== topic) continue;
      for (const p of t.partitions) {
        if (p.partition !== partition) continue;
        if (p.errorCode !== ErrorCode.None) return 'error';
        for (const m of p.messages) {
          if (m.isControlRecord || BigInt(m.offset) < offset) continue;
          const ts = Number(m.timestamp);
          return Number.isFinite(ts) && ts >= 0 ? ts : -1;
        }
      }
    }
    return undefined;
  }

  /** Record timestamps for (topic, partition, offset), from the cache or one-record Fetches per
   * leader. Keys absent from the result could not be read (flagged by the caller). */
  async function recordTimestamps(
    wire: KafkaWire,
    wanted: ReadonlyMap<string, { topic: string; partition: number; offset: bigint; leader: string }>,
    cacheKey: string,
  ): Promise<Map<string, number>> {
    const s = state();
    const out = new Map<string, number>();
    const toFetch: { key: string; topic: string; partition: number; offset: bigint; leader: string }[] = [];
    for (const [k, w] of wanted) {
      const cached = s.recordTimestamps.get(cacheKey)?.get(k);
      if (cached !== undefined) out.set(k, cached);
      else toFetch.push({ key: k, ...w });
    }
    // One request may name a partition once: several offsets of one partition go in layers.
    const layers: (typeof toFetch)[] = [];
    const seen = new Map<string, number>();
    for (const f of toFetch) {
      const tp = `${f.leader}\u0000${f.topic}\u0000${f.partition}`;
      const layer = seen.get(tp) ?? 0;
      seen.set(tp, layer + 1);
      (layers[layer] ??= []).push(f);
    }
    const requests = layers.flatMap((layer) => {
      const byLeader = new Map<string, typeof toFetch>();
      for (const f of layer) {
        const list = byLeader.get(f.leader);
        if (list) list.push(f);
        else byLeader.set(f.leader, [f]);
      }
      return [...byLeader].flatMap(([leader, list]) => chunks(list, FETCH_BATCH).map((batch) => ({ leader, batch })));
    });
    const single = async (f: (typeof toFetch)[number]): Promise<void> => {
      try {
        const ts = firstTimestamp(await wire.fetch(f.leader, [f], FETCH_SINGLE_BYTES), f.topic, f.partition, f.offset);
        if (typeof ts === 'number') out.set(f.key, ts);
      } catch (error) {
        localError(error); // this record stays unread (flagged); e.g. a codec kafkajs cannot decode
      }
    };
    await mapLimit(requests, BROKER_CONCURRENCY, async ({ leader, batch }) => {
      let response: FetchResponse;
      try {
        response = await wire.fetch(leader, batch, FETCH_PARTITION_BYTES);
      } catch (error) {
        localError(error);
        await mapLimit(batch, 2, single); // one undecodable partition must not hide the others
        return;
      }
      const retry: typeof batch = [];
      for (const f of batch) {
        const ts = firstTimestamp(response, f.topic, f.partition, f.offset);
        if (typeof ts === 'number') out.set(f.key, ts);
        else if (ts === undefined) retry.push(f);
      }
      await mapLimit(retry, 2, single);
    });
    // A record's timestamp never changes; keep only what this run used, so the cache stays small.
    s.recordTimestamps.set(cacheKey, new Map(out));
    return out;
  }

  async function collectOnce(timestamp: number, shard: Shard): Promise<ClusterSnapshot> {
    const wire = await client();
    // Every group is listed (one cheap ListGroups per broker); only this shard's are read.
    const coordinators = await listGroups(wire);
    const groupIds = [...coordinators.keys()].filter((g) => accepts(g) && inShard(g, shard)).sort(byName);

    const [offsets, descriptions] = await Promise.all([
      mapLimit(groupIds, cluster.concurrency, (g) => readGroup(wire, g, coordinators.get(g) ?? '')),
      describeAll(wire, coordinators, groupIds),
    ]);
    const topicSet = new Set<string>();
    for (const o of offsets) if ('topics' in o) for (const t of o.topics.keys()) topicSet.add(t);
    const topics = [...topicSet].sort(byName);
    const { reads, deleted, failed } = await readTopics(wire, topics);
    const retention = signals ? await retentions(wire, [...reads.keys()]) : new Map<string, number>();

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
    const stamps = signals ? await recordTimestamps(wire, wanted, shardLabel(shard)) : new Map<string, number>();

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
