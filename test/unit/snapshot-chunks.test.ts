// DynamoDB chunk format 4 (lines, decoded per group, topics flat, offsets as numbers while exact)
// carries the §6.1 signals; format-3, format-2 and format-1 chunks (written before) still read.
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

  it('format 4 is one line per group, kept as text until the group is decoded', () => {
    const other = { ...snapshot, group: 'tab\there "quoted"' };
    const [chunk] = packRun('prod', T, [snapshot, other]);
    const lines = gunzipSync(chunk!).toString('utf8').split('\n');
    expect(JSON.parse(lines[0]!)).toEqual({ f: 4, c: 'prod', ts: T });
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

  it('format 4 writes the topics in one flat list, a stride per topic, offsets as numbers up to 2^53 − 1 and as strings above', () => {
    const [chunk] = packRun('prod', T, [snapshot]);
    const [, line] = gunzipSync(chunk!).toString('utf8').split('\n');
    const entry = JSON.parse(line!.slice(line!.indexOf('\t') + 1));
    expect(entry.t).toEqual([
      // orders: the widest partition has 6 fields (no missing signal), so both are padded to 6.
      'orders', 6, 2, 0, 100, 300, T - 9000, '9007199254740993', -1, 1, null, 9, null, 0, 604_800_000,
      // refunds: missing signals make 7 fields.
      'refunds', 7, 1, 0, 3, 4, null, null, null, 'lrta',
    ]);
  });

  it('round-trips offsets at and around 2^53 and 2^63, negative log-end differences and quiet partitions exactly', () => {
    const max = 9_223_372_036_854_775_807n;
    const safe = BigInt(Number.MAX_SAFE_INTEGER);
    const wide: GroupSnapshot = {
      cluster: 'prod',
      group: 'wide',
      timestamp: T,
      state: 'Unknown',
      members: null,
      partitions: [
        { topic: 'a', partition: 0, committedOffset: safe, logEndOffset: safe },
        { topic: 'a', partition: 1, committedOffset: safe, logEndOffset: safe + 1n },
        { topic: 'a', partition: 2, committedOffset: safe + 1n, logEndOffset: max },
        { topic: 'a', partition: 3, committedOffset: max, logEndOffset: 0n },
        { topic: 'a', partition: 4, committedOffset: null, logEndOffset: max },
        { topic: 'a', partition: 5, committedOffset: 7n, logEndOffset: null, logStartOffset: safe + 2n },
        { topic: 'b', partition: 0, committedOffset: 0n, logEndOffset: 0n },
      ],
    };
    const [back] = roundTrip([wide]);
    expect(back).toStrictEqual(wide);
  });

  it('still reads a format-3 chunk (offsets as strings, tuples with trailing nulls left off) as the same snapshot', () => {
    const text = [
      JSON.stringify({ f: 3, c: 'prod', ts: T }),
      '"payments"\t' +
        JSON.stringify({
          s: 'Stable',
          m: 2,
          t: [
            ['orders', [[0, '100', '300', T - 9000, '9007199254740993', -1], [1, null, '9', null, '0', 604_800_000]]],
            ['refunds', [[0, '3', '4', null, null, null, 'lrta']]],
          ],
          a: { orders: [0, 1], refunds: [] },
        }),
    ].join('\n');
    const { entries, unreadable } = unpackChunk(gzipSync(text), 'prod', T);
    expect(unreadable).toEqual([]);
    expect(joinEntries('prod', T, entries)).toStrictEqual(joinEntries('prod', T, [unpackChunk(packRun('prod', T, [snapshot])[0]!, 'prod', T).entries[0]!]));
    expect(joinEntries('prod', T, entries)).toEqual(snapshot);
  });

  it.each([
    { reason: 'a stride outside 3–7', t: ['orders', 2, 1, 0, 5], message: /t\[0\]: expected "topic", stride 3–7/ },
    { reason: 'fewer fields than stride × partitions', t: ['orders', 3, 2, 0, 5, 2, 1], message: /t\[0\]: expected "topic", stride 3–7/ },
    { reason: 'a second topic without its header', t: ['orders', 3, 1, 0, 5, 2, 7], message: /t\[1\]: expected "topic"/ },
    { reason: 'an offset above 2^53 written as a number (it lost digits)', t: ['orders', 3, 1, 0, 9_007_199_254_740_993, 0], message: /t\[0\] \(orders\)\[0\]: committed offset 9007199254740992/ },
    { reason: 'a log end below 0', t: ['orders', 3, 1, 0, 5, -6], message: /log-end offset -1 is negative/ },
    { reason: 'an empty missing-signal string', t: ['orders', 7, 1, 0, 5, 0, null, null, null, ''], message: /missing signals "" is not a string of letters/ },
    { reason: 'a fractional partition, second in its topic', t: ['orders', 3, 2, 0, 5, 0, 1.5, 5, 0], message: /t\[0\] \(orders\)\[1\]: partition 1.5/ },
  ])('a format-4 entry with $reason lands in unreadable, naming the group and the place', ({ t, message }) => {
    const text = [JSON.stringify({ f: 4, c: 'prod', ts: T }), `"bad"\t${JSON.stringify({ s: 'Stable', m: 1, t })}`, '"good"\t{"s":"Empty","m":0,"t":[]}'].join('\n');
    const { entries, unreadable } = unpackChunk(gzipSync(text), 'prod', T);
    expect(entries.map((e) => e.group)).toEqual(['good']);
    expect(unreadable.map((u) => u.group)).toEqual(['bad']);
    expect(unreadable[0]?.reason).toMatch(message);
  });

  it('reads group names that need JSON unescaping and names that do not the same way', () => {
    const names = ['plain', 'with space', 'ünïcödé', 'back\\slash', 'quote"d', 'ctrl\u0001', 'tab\tname', ''];
    const [chunk] = packRun('prod', T, names.map((group) => ({ ...snapshot, group })));
    expect(unpackChunkLazily(chunk!, 'prod', T).map((e) => e.group)).toEqual(names);
  });
});
