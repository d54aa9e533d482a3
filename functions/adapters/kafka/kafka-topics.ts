// The topic side of a collector run (kafka-collector.ts): one Metadata for all topics, ListOffsets
// latest + earliest per leader (read once more when a leader moved), DescribeConfigs retention.ms
// (cached, at most hourly) and one-record Fetches for the record timestamps (cached per shard).
import { mapLimit } from '../../app/pool.js';
import { parseOffset } from '../../core/offsets.js';
import { localError } from './kafka-errors.js';
import {
  BROKER_CONCURRENCY,
  EARLIEST,
  ErrorCode,
  LATEST,
  chunks,
  errorName,
  type FetchResponse,
  type KafkaWire,
} from './kafka-wire.js';

/** topic → retention.ms and when it was read. */
export type RetentionCache = Map<string, { value: number; readAt: number }>;
/** Per shard label: (topic, partition, offset) → record timestamp (ms), or -1 for a record without one. */
export type RecordTimestampCache = Map<string, Map<string, number>>;

/** retention.ms changes rarely; read it at most this often per topic. */
export const RETENTION_REFRESH_MS = 3_600_000;
/** One-record Fetch: bytes asked per partition, partitions per request. Kafka returns whole record
 * batches, so a batch larger than this comes back empty and is asked again alone (1 MiB; Kafka
 * always returns the first batch of the first partition whatever its size). */
const FETCH_PARTITION_BYTES = 64 * 1024;
const FETCH_SINGLE_BYTES = 1024 * 1024;
const FETCH_BATCH = 100;

/** ListOffsets / Metadata codes of a leader that is moving: LEADER_NOT_AVAILABLE,
 * NOT_LEADER_FOR_PARTITION, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH. */
const LEADER_MOVED = new Set<number>([5, 6, 74, 75]);
const LEADER_RETRY_DELAY_MS = 500;

export interface TopicRead {
  /** partition → log-end offset. */
  ends: Map<number, bigint>;
  /** partition → log-start offset; missing partitions are flagged. */
  starts: Map<number, bigint>;
  leaders: Map<number, string>;
}

export interface TopicReads {
  reads: Map<string, TopicRead>;
  deleted: Set<string>;
  failed: Map<string, string>;
  /** Failed topics whose error is a leader moving (worth one more read). */
  leaderMoved: Set<string>;
}

/** Topic reads; topics that failed because a leader was moving (just created, or a leader
 * election) are read once more with fresh metadata, as kafkajs's own clients retry them. */
export async function readTopics(wire: KafkaWire, topics: readonly string[], signals: boolean): Promise<TopicReads> {
  const first = await readTopicsOnce(wire, topics, signals);
  if (first.leaderMoved.size === 0) return first;
  await new Promise((resolve) => setTimeout(resolve, LEADER_RETRY_DELAY_MS));
  const again = await readTopicsOnce(wire, [...first.leaderMoved], signals);
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

async function readTopicsOnce(wire: KafkaWire, topics: readonly string[], signals: boolean): Promise<TopicReads> {
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
export async function retentions(
  wire: KafkaWire,
  topics: readonly string[],
  cache: RetentionCache,
  now: () => number,
): Promise<Map<string, number>> {
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
export async function recordTimestamps(
  wire: KafkaWire,
  wanted: ReadonlyMap<string, { topic: string; partition: number; offset: bigint; leader: string }>,
  cache: RecordTimestampCache,
  cacheKey: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const toFetch: { key: string; topic: string; partition: number; offset: bigint; leader: string }[] = [];
  for (const [k, w] of wanted) {
    const cached = cache.get(cacheKey)?.get(k);
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
  cache.set(cacheKey, new Map(out));
  return out;
}
