// Sharding a cluster's consumer groups over several collector schedules (cluster option `shards`).
// A group's shard is FNV-1a (32-bit) of its name's UTF-8 bytes, modulo the shard count: the same on
// every run, process, machine and Node version (no Math.random, no insertion or hash-map order), so
// a group stays in its shard until the count changes. Which shard a run covers is a Shard value;
// `{ index: 0, count: 1 }` is the whole cluster and is stored exactly as before sharding existed.
import { InputError } from './errors.js';

export interface Shard {
  /** 0-based: 0 .. count - 1. */
  readonly index: number;
  /** How many shards the cluster is split into (the config's `shards`). */
  readonly count: number;
}

/** The whole cluster: what `shards: 1` (the default) collects and evaluates. */
export const WHOLE_CLUSTER: Shard = { index: 0, count: 1 };

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text` (unsigned). */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of utf8.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/** The shard index (0 .. count - 1) a group belongs to when the cluster has `count` shards. */
export function shardOf(group: string, count: number): number {
  if (!Number.isSafeInteger(count) || count < 1) throw new InputError(`shard count ${count} is not an integer >= 1`);
  return count === 1 ? 0 : fnv1a32(group) % count;
}

/** Whether `group` is one of the groups `shard` covers. */
export function inShard(group: string, shard: Shard): boolean {
  return shard.count === 1 || shardOf(group, shard.count) === shard.index;
}

export function isWholeCluster(shard: Shard): boolean {
  return shard.count === 1;
}

/** Throws InputError naming `what` unless 0 <= index < count, both integers. */
export function checkShard(shard: Shard, what: string): Shard {
  const { index, count } = shard;
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new InputError(`${what}: shard ${JSON.stringify(shard)} is not valid (need integers 0 <= index < count, count >= 1)`);
  }
  return shard;
}

/** `1of4`: shard 1 of 4 (0-based index), as it appears in store keys, metric dimensions and logs. */
export function shardLabel(shard: Shard): string {
  return `${shard.index}of${shard.count}`;
}

const LABEL = /^(0|[1-9][0-9]*)of([1-9][0-9]*)$/;

/** The Shard a shardLabel names, or null when `label` is not one (or names an impossible shard). */
export function parseShardLabel(label: string): Shard | null {
  const match = LABEL.exec(label);
  if (match === null) return null;
  const shard = { index: Number(match[1]), count: Number(match[2]) };
  return Number.isSafeInteger(shard.count) && shard.index < shard.count ? shard : null;
}

/** Every shard of a cluster split `count` ways, in index order. */
export function allShards(count: number): Shard[] {
  return Array.from({ length: count }, (_, index) => ({ index, count }));
}
