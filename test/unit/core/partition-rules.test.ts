import { describe, expect, it } from 'vitest';
import {
  evaluatePartition,
  hasZeroLagInWindow,
  isCaughtUp,
  isLagNotDecreasing,
  isRewind,
  isStalled,
  isStopped,
} from '../../../functions/core/partition-rules.js';
import type { PartitionWindowInput, WindowPoint } from '../../../functions/core/types.js';

const S = 1000;
/** "10@0/5" = offset 10 at 0 s with lag 5; "10@0/-" = unknown lag. */
function w(...points: string[]): WindowPoint[] {
  return points.map((p) => {
    const [offset, rest] = p.split('@') as [string, string];
    const [t, lag] = rest.split('/') as [string, string];
    return { offset: BigInt(offset), timestamp: Number(t) * S, lag: lag === '-' ? null : BigInt(lag) };
  });
}
function input(window: WindowPoint[], o: { broker?: number[]; current: number; now: number; allowed?: number; size?: number; minComplete?: number }): PartitionWindowInput {
  return {
    window,
    brokerOffsets: (o.broker ?? []).map(BigInt),
    currentLag: BigInt(o.current),
    now: o.now * S,
    allowedLag: BigInt(o.allowed ?? 0),
    ...(o.size === undefined ? {} : { windowSize: o.size }),
    ...(o.minComplete === undefined ? {} : { minimumComplete: o.minComplete }),
  };
}

describe('evaluation.md §5 worked examples', () => {
  const cases: [string, PartitionWindowInput, string][] = [
    ['zero lag in window', input(w('10@0/0', '20@60/5', '30@120/3'), { broker: [33], current: 3, now: 180 }), 'OK'],
    ['lag never decreases', input(w('10@0/5', '20@60/8', '30@120/12'), { broker: [42], current: 12, now: 180 }), 'WARNING'],
    ['same offset, never caught up', input(w('10@0/5', '10@60/8', '10@120/12'), { broker: [22], current: 12, now: 130 }), 'STALLED'],
    ['silent 140 s > span 60 s', input(w('10@0/5', '20@60/8'), { broker: [40], current: 20, now: 200 }), 'STOPPED'],
    ['a log end <= 20 in window, then lag not decreasing', input(w('10@0/5', '20@60/8'), { broker: [20, 40], current: 20, now: 200 }), 'WARNING'],
    ['dropped below 50, not back', input(w('50@0/5', '20@60/8', '30@120/9'), { broker: [39], current: 9, now: 180 }), 'REWIND'],
    ['caught up now, whatever the window', input(w('10@0/5', '10@60/8'), { broker: [10], current: 0, now: 10_000 }), 'OK'],
  ];
  it.each(cases)('%s', (_reason, i, status) => expect(evaluatePartition(i).status).toBe(status));
});

describe('rule order and boundaries (§2)', () => {
  const cases: [string, PartitionWindowInput, string, string][] = [
    ['currentLag equal to allowedLag is caught up (<=)', input(w('10@0/5', '10@60/5'), { broker: [15], current: 2, now: 1000, allowed: 2 }), 'OK', 'caught-up-now'],
    ['currentLag one above allowedLag is judged', input(w('10@0/5', '10@60/5'), { broker: [15], current: 3, now: 61, allowed: 2 }), 'STALLED', 'stalled'],
    ['stopped: silence equal to span is not stopped (strict >)', input(w('10@0/5', '20@60/8'), { broker: [40], current: 20, now: 120 }), 'WARNING', 'lag-not-decreasing'],
    ['stopped: silence 1 ms over the span is stopped', { ...input(w('10@0/5', '20@60/8'), { broker: [40], current: 20, now: 0 }), now: 120_001 }, 'STOPPED', 'stopped'],
    ['stopped: a log end equal to the last offset means it was caught up (<=)', input(w('10@0/5', '20@60/8'), { broker: [20, 40], current: 20, now: 500 }), 'WARNING', 'lag-not-decreasing'],
    ['stopped: one-point window has span 0, any elapsed time counts', input(w('10@60/5'), { broker: [15], current: 5, now: 61 }), 'STOPPED', 'stopped'],
    ['stopped: one-point window with no elapsed time is not stopped, it is stalled', input(w('10@60/5'), { broker: [15], current: 5, now: 60 }), 'STALLED', 'stalled'],
    ['stopped beats rewind (order)', input(w('50@0/5', '20@10/8'), { broker: [60], current: 40, now: 100 }), 'STOPPED', 'stopped'],
    ['rewind beats zero lag in window (order)', input(w('50@0/0', '20@60/8', '30@120/9'), { broker: [39], current: 9, now: 180 }), 'REWIND', 'rewind'],
    ['rewind: reaching the old offset again (>=) counts as recovered', input(w('50@0/5', '20@60/8', '50@120/9'), { broker: [59], current: 9, now: 180 }), 'WARNING', 'lag-not-decreasing'],
    ['rewind: only the first drop is examined (recovered, a later drop ignored)', input(w('50@0/9', '20@60/8', '60@120/7', '40@180/6'), { broker: [46], current: 6, now: 200 }), 'OK', 'lag-decreasing'],
    ['zero lag in window beats stalled (order)', input(w('10@0/0', '10@60/3'), { broker: [13], current: 3, now: 61 }), 'OK', 'caught-up-in-window'],
    ['zero lag: a lag equal to allowedLag counts', input(w('10@0/2', '10@60/3'), { broker: [13], current: 3, now: 61, allowed: 2 }), 'OK', 'caught-up-in-window'],
    ['zero lag: all-null lags do not make it OK; same offsets → stalled', input(w('10@0/-', '10@60/-'), { broker: [13], current: 3, now: 61 }), 'STALLED', 'stalled'],
    ['warning: equal lags are not decreasing (steady non-zero lag)', input(w('10@0/5', '20@60/5', '30@120/5'), { broker: [35], current: 5, now: 121 }), 'WARNING', 'lag-not-decreasing'],
    ['warning: null lags are skipped', input(w('10@0/5', '20@60/-', '30@120/6'), { broker: [36], current: 6, now: 121 }), 'WARNING', 'lag-not-decreasing'],
    ['warning: all-null lags give WARNING', input(w('10@0/-', '20@60/-'), { broker: [25], current: 5, now: 61 }), 'WARNING', 'lag-not-decreasing'],
    ['ok: a decreasing lag is fine', input(w('10@0/9', '20@60/5', '30@120/7'), { broker: [37], current: 7, now: 121 }), 'OK', 'lag-decreasing'],
    ['minimumComplete: a window below the share is OK unjudged', input(w('10@0/5'), { broker: [15], current: 5, now: 100, size: 10, minComplete: 0.5 }), 'OK', 'incomplete-window'],
    ['minimumComplete: a window at the share is judged', input(w('10@0/5', '10@1/5'), { broker: [15], current: 5, now: 100, size: 4, minComplete: 0.5 }), 'STOPPED', 'stopped'],
    ['empty window with lag: nothing to judge', input([], { broker: [15], current: 5, now: 100 }), 'OK', 'empty-window'],
  ];
  it.each(cases)('%s', (_reason, i, status, rule) => {
    const r = evaluatePartition(i);
    expect([r.status, r.rule]).toEqual([status, rule]);
  });
});

describe('rule functions', () => {
  it('isCaughtUp compares currentLag with allowedLag', () => {
    expect(isCaughtUp(input([], { current: 0, now: 0 }))).toBe(true);
    expect(isCaughtUp(input([], { current: 1, now: 0 }))).toBe(false);
  });
  it('isStopped needs both silence and no caught-up log end', () => {
    expect(isStopped(input(w('10@0/5', '20@60/8'), { broker: [21], current: 1, now: 121 }))).toBe(true);
    expect(isStopped(input(w('10@0/5', '20@60/8'), { broker: [21], current: 1, now: 120 }))).toBe(false);
    expect(isStopped(input([], { current: 1, now: 120 }))).toBe(false);
  });
  it('isRewind finds the first drop only', () => {
    expect(isRewind(input(w('5@0/0', '3@1/0'), { current: 1, now: 2 }))).toBe(true);
    expect(isRewind(input(w('5@0/0', '3@1/0', '5@2/0'), { current: 1, now: 2 }))).toBe(false);
    expect(isRewind(input(w('5@0/0', '6@1/0'), { current: 1, now: 2 }))).toBe(false);
  });
  it('hasZeroLagInWindow ignores null lags', () => {
    expect(hasZeroLagInWindow(input(w('5@0/-'), { current: 1, now: 2 }))).toBe(false);
    expect(hasZeroLagInWindow(input(w('5@0/-', '6@1/0'), { current: 1, now: 2 }))).toBe(true);
  });
  it('isStalled: one point qualifies, an empty window does not', () => {
    expect(isStalled(input(w('5@0/1'), { current: 1, now: 2 }))).toBe(true);
    expect(isStalled(input([], { current: 1, now: 2 }))).toBe(false);
    expect(isStalled(input(w('5@0/1', '6@1/1'), { current: 1, now: 2 }))).toBe(false);
  });
  it('isLagNotDecreasing: one decrease anywhere breaks it', () => {
    expect(isLagNotDecreasing(input(w('1@0/1', '2@1/3', '3@2/2', '4@3/9'), { current: 9, now: 4 }))).toBe(false);
  });
});

describe('completeness', () => {
  it.each([
    ['points over window size', 3, 10, 0.3],
    ['capped at 1 when more points than slots', 12, 10, 1],
    ['defaults to full when no window size is given', 4, undefined, 1],
  ])('%s', (_reason, points, size, complete) => {
    const window = Array.from({ length: points }, (_, i) => ({ offset: BigInt(i), timestamp: i, lag: 0n }));
    expect(evaluatePartition({ window, brokerOffsets: [], currentLag: 0n, now: 100, allowedLag: 0n, ...(size ? { windowSize: size } : {}) }).complete).toBe(complete);
  });
});

describe('offsets beyond 2^53', () => {
  it('compares exactly where numbers would round', () => {
    const big = 2n ** 60n;
    // big and big + 1 are the same JS number; as bigint they differ, so the partition is not stalled.
    const window = [
      { offset: big, timestamp: 0, lag: 5n },
      { offset: big + 1n, timestamp: 60_000, lag: 6n },
    ];
    expect(evaluatePartition({ window, brokerOffsets: [big + 7n], currentLag: 6n, now: 61_000, allowedLag: 0n }).status).toBe('WARNING');
  });
});
