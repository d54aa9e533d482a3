// DynamoDB chunk format 3 (lines, decoded per group) carries the §6.1 signals; format-2 and format-1
// chunks (written before) still read.
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CHUNK_FORMAT, joinEntries, packRun, unpackChunk, unpackChunkLazily } from '../../functions/adapters/dynamodb/snapshot-chunks.js';
import type { GroupSnapshot } from '../../functions/core/types.js';

const T = 1_763_700_000_000;

const snapshot: GroupSnapshot = {
  cluster: 'prod',
  group: 'payments',
  timestamp: T,
  state: 'Stable',
  members: 2,
  assignments: { orders: [0, 1], refunds: [] },
  partitions: [
    { topic: 'orders', partition: 0, committedOffset: 100n, logEndOffset: 400n, committedRecordTimestamp: T - 9000, logStartOffset: 9_007_199_254_740_993n, retentionMs: -1 },
    { topic: 'orders', partition: 1, committedOffset: null, logEndOffset: 9n, logStartOffset: 0n, retentionMs: 604_800_000 },
    { topic: 'refunds', partition: 0, committedOffset: 3n, logEndOffset: 7n, missingSignals: ['log-start', 'retention', 'record-timestamp', 'assignments'] },
  ],
};

function roundTrip(groups: readonly GroupSnapshot[]): GroupSnapshot[] {
  const [chunk, ...rest] = packRun('prod', T, groups);
  expect(rest).toEqual([]);
  const { entries, unreadable } = unpackChunk(chunk!, 'prod', T);
  expect(unreadable).toEqual([]);
  return entries.map((e) => joinEntries('prod', T, [e])!);
}

describe(`snapshot chunks, format ${CHUNK_FORMAT}`, () => {
  it('round-trips log start, retention (-1 = unlimited), record timestamps, flags and assignments', () => {
    expect(roundTrip([snapshot])).toEqual([snapshot]);
  });

  it('keeps unknown assignments (null) apart from not collected (absent)', () => {
    const unknown = { ...snapshot, group: 'u', assignments: null };
    const { assignments: _omitted, ...absent } = { ...snapshot, group: 'a' };
    const [u, a] = roundTrip([unknown, absent]);
    expect(u?.assignments).toBeNull();
    expect(a).not.toHaveProperty('assignments');
  });

  it('still reads a format-1 chunk (no signals)', () => {
    const payload = { f: 1, c: 'prod', ts: T, g: [{ g: 'old', s: 'Empty', m: 0, t: [['orders', [[0, '5', '2', T - 1], [1, null, '4']]]] }] };
    const { entries, unreadable } = unpackChunk(gzipSync(JSON.stringify(payload)), 'prod', T);
    expect(unreadable).toEqual([]);
    expect(joinEntries('prod', T, entries)).toEqual({
      cluster: 'prod',
      group: 'old',
      timestamp: T,
      state: 'Empty',
      members: 0,
      partitions: [
        { topic: 'orders', partition: 0, committedOffset: 5n, logEndOffset: 7n, committedRecordTimestamp: T - 1 },
        { topic: 'orders', partition: 1, committedOffset: null, logEndOffset: 4n },
      ],
    });
  });

  it.each([
    { reason: 'a format-2 partition needs the signal slots', tuple: [0, '5', '2'], message: /expected \[partition, committed, logEnd, recordTs, logStart, retentionMs, missing\?\]/ },
    { reason: 'an unknown missing-signal letter', tuple: [0, '5', '2', null, '1', 5, 'lx'], message: /missing signal letter "x" is unknown/ },
    { reason: 'retention below -1', tuple: [0, '5', '2', null, '1', -7], message: /retentionMs -7/ },
    { reason: 'a negative log start', tuple: [0, '5', '2', null, '-1', 5], message: /log-start offset "-1"/ },
  ])('puts an entry with $reason in unreadable, naming the group', ({ tuple, message }) => {
    const payload = { f: 2, c: 'prod', ts: T, g: [{ g: 'bad', s: 'Stable', m: 1, t: [['orders', [tuple]]] }, { g: 'good', s: 'Empty', m: 0, t: [] }] };
    const { entries, unreadable } = unpackChunk(gzipSync(JSON.stringify(payload)), 'prod', T);
    expect(entries.map((e) => e.group)).toEqual(['good']);
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]?.group).toBe('bad');
    expect(unreadable[0]?.reason).toMatch(message);
  });

  it('refuses a chunk of an unknown format, saying which it reads', () => {
    expect(() => unpackChunk(gzipSync(JSON.stringify({ f: 9, c: 'prod', ts: T, g: [] })), 'prod', T)).toThrow(/chunk format 9 is not one of 1, 2, 3/);
  });

  it('format 3 is one line per group, kept as text until the group is decoded', () => {
    const other = { ...snapshot, group: 'tab\there "quoted"' };
    const [chunk] = packRun('prod', T, [snapshot, other]);
    const lines = gunzipSync(chunk!).toString('utf8').split('\n');
    expect(JSON.parse(lines[0]!)).toEqual({ f: 3, c: 'prod', ts: T });
    expect(lines.slice(1).map((l) => JSON.parse(l.slice(0, l.indexOf('\t'))))).toEqual(['payments', 'tab\there "quoted"']);
    const lazy = unpackChunkLazily(chunk!, 'prod', T);
    expect(lazy.map((e) => e.group)).toEqual(['payments', 'tab\there "quoted"']);
    expect(joinEntries('prod', T, [lazy[1]!.decode()])).toEqual(other);
  });

  it('a format-3 line that cannot be read lands in unreadable with its group; the other lines still read', () => {
    const text = [JSON.stringify({ f: 3, c: 'prod', ts: T }), '"bad"\t{"s":"Stable","m":1,"t":[["orders",[[0,"5"]]]]}', '"good"\t{"s":"Empty","m":0,"t":[]}', 'no tab here'].join('\n');
    const { entries, unreadable } = unpackChunk(gzipSync(text), 'prod', T);
    expect(entries.map((e) => e.group)).toEqual(['good']);
    expect(unreadable.map((u) => u.group)).toEqual(['bad', null]);
    expect(unreadable[0]?.reason).toMatch(/expected \[partition, committed, logEnd/);
    expect(unreadable[1]?.reason).toMatch(/no group name/);
  });
});
