import { describe, expect, it } from 'vitest';
import { evaluateGroup, notFoundVerdict } from '../../../functions/core/group.js';
import { DEFAULT_POLICY, resolvePolicy, type Policy } from '../../../functions/core/policy.js';
import type { GroupSnapshot, GroupState, PartitionOffsets } from '../../../functions/core/types.js';
import { buildPartitionSeries } from '../../../functions/core/window.js';
import { loadScenarios } from '../../support/scenarios.js';

const MIN = 60_000;
function p(topic: string, partition: number, committed: number | null, logEnd: number | null): PartitionOffsets {
  return { topic, partition, committedOffset: committed === null ? null : BigInt(committed), logEndOffset: logEnd === null ? null : BigInt(logEnd) };
}
function snap(i: number, partitions: PartitionOffsets[], state: GroupState = 'Stable', members: number | null = 1): GroupSnapshot {
  return { cluster: 'c', group: 'g', timestamp: i * MIN, state, members, partitions };
}
function run(snapshots: GroupSnapshot[], policy: Partial<Policy> = {}, now?: number) {
  return evaluateGroup({ cluster: 'c', group: 'g', snapshots, policy: { ...DEFAULT_POLICY, ...policy }, now: now ?? snapshots[snapshots.length - 1]!.timestamp });
}

describe('named scenarios (test/scenarios/*.json)', () => {
  const scenarios = loadScenarios();
  it('has every scenario the issue names', () => {
    expect(scenarios.map((s) => s.name)).toEqual(
      expect.arrayContaining(['healthy', 'slow-consumer', 'stopped-consumer', 'stuck-consumer', 'rewind', 'idle-topic-one-message', 'transactional-allowed-lag-1', 'new-group-one-snapshot']),
    );
  });
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const first = s.document.snapshots[0]!;
    const v = evaluateGroup({ cluster: first.cluster, group: first.group, snapshots: s.document.snapshots, policy: resolvePolicy(s.document.policy, first.group), now: s.document.now });
    expect(v.status, s.description).toBe(s.expect.status);
    const byKey = Object.fromEntries(v.partitions.map((x) => [`${x.topic}[${x.partition}]`, x]));
    expect(Object.fromEntries(Object.entries(byKey).map(([k, x]) => [k, x.status]))).toEqual(s.expect.partitions);
    const flagged = (flag: 'insufficientData' | 'noCommits' | 'topicRecreated') => Object.keys(byKey).filter((k) => byKey[k]![flag]);
    expect(flagged('insufficientData')).toEqual(s.expect.insufficientData ?? []);
    expect(flagged('noCommits')).toEqual(s.expect.noCommits ?? []);
    expect(flagged('topicRecreated')).toEqual(s.expect.topicRecreated ?? []);
  });
});

describe('snapshots → window (§3)', () => {
  it('collapses a run of equal committed offsets into one point stamped at its first snapshot, with the lag then', () => {
    const [series] = buildPartitionSeries([snap(0, [p('t', 0, 5, 9)]), snap(1, [p('t', 0, 5, 12)]), snap(2, [p('t', 0, 8, 14)]), snap(3, [p('t', 0, 8, 20)])]);
    expect(series!.window).toEqual([
      { offset: 5n, timestamp: 0, lag: 4n },
      { offset: 8n, timestamp: 2 * MIN, lag: 6n },
    ]);
    expect(series!.brokerOffsets).toEqual([9n, 12n, 14n, 20n]);
  });
  it('keeps a rewind as separate points (a run is consecutive)', () => {
    const [series] = buildPartitionSeries([snap(0, [p('t', 0, 5, 9)]), snap(1, [p('t', 0, 3, 9)]), snap(2, [p('t', 0, 5, 9)])]);
    expect(series!.window.map((x) => x.offset)).toEqual([5n, 3n, 5n]);
  });
  it('drops the history before a recreation (log end went backwards)', () => {
    const [series] = buildPartitionSeries([snap(0, [p('t', 0, 900, 1000)]), snap(1, [p('t', 0, 0, 10)]), snap(2, [p('t', 0, 5, 12)])]);
    expect(series!.window.map((x) => x.offset)).toEqual([0n, 5n]);
    expect(series!.brokerOffsets).toEqual([10n, 12n]);
    expect(series!.topicRecreated).toBe(true);
  });
  it('judges only the partitions of the newest snapshot (a topic the group left is dropped)', () => {
    const v = run([snap(0, [p('old', 0, 1, 100), p('new', 0, 1, 1)]), snap(1, [p('new', 0, 2, 2)])]);
    expect(v.partitions.map((x) => x.topic)).toEqual(['new']);
  });
});

describe('lagwatch refinements', () => {
  const stoppedSeries = (state: GroupState, members: number | null) =>
    [0, 1, 2, 3, 4].map((i) => snap(i, [p('t', 0, 100 + 10 * Math.min(i, 1), 200 + 100 * i)], state, members));
  it.each([
    ['stopped rule + group Empty → STOPPED (consumers gone)', 'Empty', 0, 'STOPPED'],
    ['stopped rule + group Dead → STOPPED', 'Dead', 0, 'STOPPED'],
    ['stopped rule + members → STALLED (alive, not progressing)', 'Stable', 2, 'STALLED'],
    ['stopped rule + rebalancing members → STALLED', 'PreparingRebalance', 2, 'STALLED'],
    ['stopped rule + unknown state (Kafka 4 consumer protocol) → STOPPED', 'Unknown', null, 'STOPPED'],
  ] as const)('%s', (_reason, state, members, status) => {
    expect(run(stoppedSeries(state, members)).partitions[0]!.status).toBe(status);
  });
  it('below minimumSnapshots a partition is OK and flagged insufficientData', () => {
    const v = run(stoppedSeries('Empty', 0).slice(0, 2), { minimumSnapshots: 3 }, 10 * MIN);
    expect(v.status).toBe('OK');
    expect(v.partitions[0]).toMatchObject({ status: 'OK', insufficientData: true, rule: 'insufficient-data' });
  });
  it('at exactly minimumSnapshots the partition is judged', () => {
    const v = run(stoppedSeries('Empty', 0).slice(0, 3), { minimumSnapshots: 3 }, 20 * MIN);
    expect(v.partitions[0]).toMatchObject({ status: 'STOPPED', insufficientData: false });
  });
  it('a partition with no commit is "no commits": OK, complete 0, lag null (never 0)', () => {
    const v = run([snap(0, [p('t', 0, null, 50)]), snap(1, [p('t', 0, null, 60)]), snap(2, [p('t', 0, null, 70)])]);
    expect(v.partitions[0]).toMatchObject({ status: 'OK', complete: 0, lag: null, noCommits: true });
    expect(v.totalLag).toBe(0n);
    expect(v.maxLag).toBeNull();
  });
  it('uses only the newest windowSize snapshots', () => {
    // A rewind in the first snapshots: a window of 6 still sees it, a window of 3 only sees the recovery.
    const offsets = [50, 20, 30, 40, 45, 48];
    const series = offsets.map((o, i) => snap(i, [p('t', 0, o, 100 + i)]));
    // Burrow sees the rewind; the verdict grades it (§6.2): re-reading for over stallAfterSeconds → reprocessing.
    expect(run(series, { windowSize: 6 }).partitions[0]).toMatchObject({ burrowStatus: 'REWIND', status: 'WARNING', rule: 'reprocessing' });
    expect(run(series, { windowSize: 3 }).partitions[0]).toMatchObject({ status: 'OK', rule: 'lag-decreasing' });
  });
  it('rejects snapshots out of order, naming the index', () => {
    expect(() => run([snap(1, []), snap(0, [])])).toThrow(/snapshots\[1\]\.timestamp/);
  });
});

describe('group roll-up', () => {
  it('group status is the worst partition; STALLED/STOPPED/REWIND count as ERROR', () => {
    const series = [0, 1, 2, 3].map((i) => snap(i, [p('a', 0, 10 + 5 * i, 30 + 10 * i), p('b', 0, 7, 20 + i)]));
    const v = run(series);
    // Burrow: a growing lag is WARNING and b STOPPED; the verdict needs a full window as evidence
    // (§6.2), so a is OK, and b has members, so it is STALLED (§3).
    expect(v.partitions.map((x) => x.burrowStatus)).toEqual(['WARNING', 'STOPPED']);
    expect(v.partitions.map((x) => x.status)).toEqual(['OK', 'STALLED']);
    expect(v.status).toBe('ERROR');
    expect(v.burrowStatus).toBe('ERROR');
  });
  it('totalLag sums current lags; maxLag ties keep the first in (topic, partition) order', () => {
    const series = [0, 1, 2].map((i) => snap(i, [p('b', 0, i, i + 7), p('a', 1, i, i + 7), p('a', 0, i, i + 3)]));
    const v = run(series);
    expect(v.totalLag).toBe(17n);
    expect(v.maxLag).toEqual({ topic: 'a', partition: 1, lag: 7n });
    expect(v.partitions.map((x) => `${x.topic}${x.partition}`)).toEqual(['a0', 'a1', 'b0']);
  });
  it('group complete is the share of partitions whose window is full', () => {
    const series = [0, 1, 2, 3].map((i) => snap(i, [p('a', 0, i, i), p('a', 1, 0, 0)]));
    expect(run(series, { windowSize: 4 }).complete).toBe(0.5);
  });
  it('a group with no partitions is OK with complete 0', () => {
    expect(run([snap(0, [])])).toMatchObject({ status: 'OK', complete: 0, totalLag: 0n });
  });
  it('no snapshots, or an unknown group, is NOTFOUND', () => {
    expect(evaluateGroup({ cluster: 'c', group: 'g', snapshots: [], policy: DEFAULT_POLICY, now: 5 }).status).toBe('NOTFOUND');
    expect(notFoundVerdict('c', 'g', 5)).toMatchObject({ status: 'NOTFOUND', partitions: [], evaluatedAt: 5 });
  });
  it('maxTimeLag is the largest partition time lag', () => {
    const series = [0, 1, 2, 3].map((i) => snap(i, [p('a', 0, 0, 10 * (i + 1)), p('a', 1, 100 * i, 100 * i)]));
    const v = run(series, {}, 4 * MIN);
    expect(v.maxTimeLag).toEqual({ seconds: 240, kind: 'lower-bound' });
  });
});
