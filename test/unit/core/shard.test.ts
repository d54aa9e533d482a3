import { describe, expect, it } from 'vitest';
import { InputError } from '../../../functions/core/errors.js';
import {
  allShards,
  checkShard,
  fnv1a32,
  inShard,
  parseShardLabel,
  shardLabel,
  shardOf,
  WHOLE_CLUSTER,
} from '../../../functions/core/shard.js';

// Expected hashes: the FNV-1a reference vectors ('', 'a', 'foobar' from the FNV authors' test suite)
// and, for the rest, an independent Python implementation over s.encode('utf-8'). Pinned, because a
// hash that changed between releases would move groups between shards on upgrade (windows refill).
const HASHES: readonly { name: string; hash: number; reason: string }[] = [
  { name: '', hash: 0x811c9dc5, reason: 'the empty name hashes to the offset basis' },
  { name: 'a', hash: 0xe40c292c, reason: 'FNV-1a 32 reference vector' },
  { name: 'foobar', hash: 0xbf9cf968, reason: 'FNV-1a 32 reference vector' },
  { name: 'orders-service', hash: 0x548cbad6, reason: 'a typical group name' },
  { name: 'café', hash: 0xa82b5049, reason: 'non-ASCII: hashed over UTF-8 bytes (é is 2 bytes), not UTF-16 code units' },
  { name: '🦄', hash: 0x0c130832, reason: 'astral plane: 4 UTF-8 bytes, a surrogate pair in JS' },
];

const SHARDS: readonly { group: string; count: number; index: number; reason: string }[] = [
  { group: 'anything', count: 1, index: 0, reason: 'one shard: every group is in shard 0' },
  { group: '', count: 2, index: 1, reason: '0x811c9dc5 is odd' },
  { group: 'a', count: 2, index: 0, reason: '0xe40c292c is even' },
  { group: 'a', count: 3, index: 1, reason: '0xe40c292c mod 3' },
  { group: 'orders-service', count: 2, index: 0, reason: '0x548cbad6 mod 2' },
  { group: 'orders-service', count: 3, index: 0, reason: '0x548cbad6 mod 3' },
  { group: 'café', count: 2, index: 1, reason: 'non-ASCII name, mod 2' },
  { group: '🦄', count: 3, index: 2, reason: 'astral-plane name, mod 3' },
];

describe('fnv1a32', () => {
  it.each(HASHES)('$name → $hash ($reason)', ({ name, hash }) => {
    expect(fnv1a32(name)).toBe(hash);
  });
});

describe('shardOf', () => {
  it.each(SHARDS)('$group of $count shards → $index ($reason)', ({ group, count, index }) => {
    expect(shardOf(group, count)).toBe(index);
    expect(inShard(group, { index, count })).toBe(true);
    // ...and in no other shard: the shards partition the groups.
    for (const other of allShards(count)) if (other.index !== index) expect(inShard(group, other)).toBe(false);
  });

  it('spreads 10,000 generated names evenly over 2, 3 and 7 shards (each within 5% of its share)', () => {
    for (const count of [2, 3, 7]) {
      const sizes = new Array<number>(count).fill(0);
      for (let i = 0; i < 10_000; i++) sizes[shardOf(`group-${i}`, count)]!++;
      for (const size of sizes) expect(Math.abs(size - 10_000 / count)).toBeLessThan((0.05 * 10_000) / count);
    }
  });

  it.each([
    { count: 0, reason: 'no shards' },
    { count: -1, reason: 'negative' },
    { count: 1.5, reason: 'not an integer' },
  ])('rejects a shard count of $count ($reason)', ({ count }) => {
    expect(() => shardOf('g', count)).toThrow(InputError);
  });
});

describe('shard labels', () => {
  it.each([
    { shard: WHOLE_CLUSTER, label: '0of1', reason: 'the whole cluster' },
    { shard: { index: 1, count: 4 }, label: '1of4', reason: '0-based index, then the count' },
    { shard: { index: 11, count: 12 }, label: '11of12', reason: 'more than one digit' },
  ])('$label ($reason)', ({ shard, label }) => {
    expect(shardLabel(shard)).toBe(label);
    expect(parseShardLabel(label)).toEqual(shard);
  });

  it.each([
    { label: '2of2', reason: 'index not below the count' },
    { label: '0of0', reason: 'no shards' },
    { label: '01of2', reason: 'leading zero: not the label shardLabel writes' },
    { label: '1-of-2', reason: 'another spelling' },
    { label: '', reason: 'empty' },
  ])('parseShardLabel($label) is null ($reason)', ({ label }) => {
    expect(parseShardLabel(label)).toBeNull();
  });

  it.each([
    { shard: { index: 2, count: 2 }, reason: 'index == count' },
    { shard: { index: -1, count: 2 }, reason: 'negative index' },
    { shard: { index: 0, count: 0 }, reason: 'count 0' },
    { shard: { index: 0.5, count: 2 }, reason: 'fractional index' },
  ])('checkShard rejects $shard ($reason), naming the input', ({ shard }) => {
    expect(() => checkShard(shard, 'collector event')).toThrow(/collector event: shard/);
  });
});
