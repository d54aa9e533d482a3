// The §6.2 verdict rules, each as a table of cases with the reason, through evaluateGroup (the same
// path the evaluator takes). Snapshots are built directly; every time is a multiple of one interval.
import { describe, expect, it } from 'vitest';
import { evaluateGroup } from '../../../functions/core/group.js';
import { DEFAULT_POLICY, type Policy } from '../../../functions/core/policy.js';
import type { GroupSnapshot, GroupState, GroupStatus, PartitionOffsets } from '../../../functions/core/types.js';

const MIN = 60_000;
const T = 1_767_225_600_000;

interface Reading {
  readonly c: number | null;
  readonly e: number;
  readonly start?: number | null;
  readonly retentionMs?: number | null;
  /** Age (s) of the record at the committed offset, for an exact time lag. */
  readonly age?: number;
}
interface Snap {
  readonly r: Reading | readonly Reading[];
  readonly state?: GroupState;
  readonly members?: number | null;
  readonly assignments?: Readonly<Record<string, readonly number[]>> | null;
  /** Minutes after T; default: the index. */
  readonly at?: number;
  readonly topic?: string;
}

function snapshots(list: readonly Snap[]): GroupSnapshot[] {
  return list.map((s, i) => {
    const timestamp = T + (s.at ?? i) * MIN;
    const readings = Array.isArray(s.r) ? (s.r as readonly Reading[]) : [s.r as Reading];
    const state = s.state ?? 'Stable';
    return {
      cluster: 'prod',
      group: 'orders-service',
      timestamp,
      state,
      members: s.members !== undefined ? s.members : state === 'Empty' || state === 'Dead' ? 0 : 2,
      ...(s.assignments === undefined ? {} : { assignments: s.assignments }),
      partitions: readings.map(
        (r, p): PartitionOffsets => ({
          topic: s.topic ?? 'orders',
          partition: p,
          committedOffset: r.c === null ? null : BigInt(r.c),
          logEndOffset: BigInt(r.e),
          ...(r.start === undefined ? {} : { logStartOffset: r.start === null ? null : BigInt(r.start) }),
          ...(r.retentionMs === undefined ? {} : { retentionMs: r.retentionMs }),
          ...(r.age === undefined ? {} : { committedRecordTimestamp: timestamp - r.age * 1000 }),
        }),
      ),
    };
  });
}

function judge(list: readonly Snap[], policy: Partial<Policy> = {}, options: { previous?: GroupStatus; now?: number } = {}) {
  const s = snapshots(list);
  return evaluateGroup({
    cluster: 'prod',
    group: 'orders-service',
    snapshots: s,
    policy: { ...DEFAULT_POLICY, ...policy },
    now: options.now ?? s[s.length - 1]!.timestamp,
    intervalMs: MIN,
    previous: options.previous === undefined ? null : { status: options.previous },
  });
}

/** n snapshots of a consumer that keeps up: committed a few behind a log end growing 100/min. */
const healthy = (n: number, from = 0): Snap[] => Array.from({ length: n }, (_, i) => ({ r: { c: 1_000 + (from + i) * 100 - 3, e: 1_000 + (from + i) * 100 } }));
/** The consumer of `healthy(from)` stopped committing where it was while 100/min keep arriving. */
const frozen = (n: number, state: GroupState, from = 0): Snap[] =>
  Array.from({ length: n }, (_, i) => ({ r: { c: 1_000 + (from - 1) * 100 - 3, e: 1_000 + (from + i) * 100 }, state }));

type Case = readonly [reason: string, snaps: readonly Snap[], policy: Partial<Policy>, expected: { status: string; rule: string }];

function table(cases: readonly Case[]) {
  it.each(cases)('%s', (_reason, snaps, policy, expected) => {
    const p = judge(snaps, policy).partitions[0]!;
    expect({ status: p.status, rule: p.rule }).toEqual(expected);
  });
}

describe('data-loss (§6.2 rule 1)', () => {
  table([
    ['committed below the log start: retention deleted unread messages → ERROR at once', [...healthy(2), { r: { c: 1_150, e: 1_300, start: 1_200 } }], {}, { status: 'ERROR', rule: 'data-loss' }],
    ['committed == log start: the next message still exists → not data loss', [...healthy(2), { r: { c: 1_200, e: 1_300, start: 1_200 } }], {}, { status: 'OK', rule: 'not-falling-behind' }],
    ['log start unknown (null): never read as data loss', [...healthy(2), { r: { c: 1_150, e: 1_300, start: null } }], {}, { status: 'OK', rule: 'not-falling-behind' }],
    ['log start absent (old snapshot format): never read as data loss', [...healthy(2), { r: { c: 1_150, e: 1_300 } }], {}, { status: 'OK', rule: 'not-falling-behind' }],
    ['data loss before minimumSnapshots is not judged yet', [{ r: { c: 1_150, e: 1_300, start: 1_200 } }], {}, { status: 'OK', rule: 'insufficient-data' }],
  ]);
  it('counts the messages deleted unread', () => {
    const p = judge([...healthy(2), { r: { c: 1_150, e: 1_300, start: 13_550 } }]).partitions[0]!;
    expect(p.deletedUnread).toBe(12_400n);
  });
});

describe('retention-risk (§6.2 rule 2)', () => {
  const aged = (age: number, retentionMs: number | null | undefined): Snap[] => [...healthy(2), { r: { c: 1_100, e: 1_300, age, retentionMs } }];
  table([
    ['time lag at 80 % of retention → ERROR', aged(480, 600_000), {}, { status: 'ERROR', rule: 'retention-risk' }],
    ['time lag just under 80 % of retention → not yet', aged(479, 600_000), {}, { status: 'OK', rule: 'not-falling-behind' }],
    ['unlimited retention (-1) never risks', aged(100_000, -1), {}, { status: 'OK', rule: 'not-falling-behind' }],
    ['unknown retention (null) never risks', aged(100_000, null), {}, { status: 'OK', rule: 'not-falling-behind' }],
    ['retentionRiskShare 0.5 fires earlier', aged(300, 600_000), { retentionRiskShare: 0.5 }, { status: 'ERROR', rule: 'retention-risk' }],
  ]);
  it('says how long until unread data is deleted', () => {
    expect(judge(aged(3_360, 4_200_000)).partitions[0]!.retentionLeftSeconds).toBe(840);
  });
});

describe('beyond-log-end (§6.2 rule 3)', () => {
  const beyond = (n: number, state: GroupState): Snap[] => [...healthy(3), ...Array.from({ length: n }, (_, i) => ({ r: { c: 1_300, e: 10 + i * 10 }, state }))];
  table([
    ['committed past the log end and no members: nobody will reset it → ERROR', beyond(3, 'Empty'), {}, { status: 'ERROR', rule: 'beyond-log-end' }],
    ['past the log end with members for 2 min: may still reset → not yet', beyond(3, 'Stable'), {}, { status: 'OK', rule: 'caught-up-now' }],
    ['past the log end with members for exactly stallAfterSeconds → ERROR', beyond(4, 'Stable'), {}, { status: 'ERROR', rule: 'beyond-log-end' }],
    ['committed == log end: caught up, not beyond', [...healthy(2), { r: { c: 1_300, e: 1_300 } }], {}, { status: 'OK', rule: 'caught-up-now' }],
  ]);
});

/** Cases where a fast rule must not fire: the rule named is not the one that decided. */
function notFiring(rule: string, cases: readonly (readonly [reason: string, snaps: readonly Snap[], policy: Partial<Policy>])[]) {
  it.each(cases)('%s', (_reason, snaps, policy) => {
    expect(judge(snaps, policy).partitions[0]!.rule).not.toBe(rule);
  });
}

describe('consumers-gone (§6.2 rule 4)', () => {
  table([
    ['no members at two snapshots exactly emptyGraceSeconds apart, messages waiting → STOPPED', [...healthy(3), ...frozen(2, 'Empty', 3)], {}, { status: 'STOPPED', rule: 'consumers-gone' }],
    ['Dead counts as no members', [...healthy(3), ...frozen(2, 'Dead', 3)], {}, { status: 'STOPPED', rule: 'consumers-gone' }],
    ['grace 90 s: three empty snapshots span 120 s → STOPPED', [...healthy(3), ...frozen(3, 'Empty', 3)], { emptyGraceSeconds: 90 }, { status: 'STOPPED', rule: 'consumers-gone' }],
    ['empty but caught up (idle topic): nothing waits → OK', [...healthy(3), { r: { c: 1_300, e: 1_300 }, state: 'Empty' }, { r: { c: 1_300, e: 1_300 }, state: 'Empty' }], {}, { status: 'OK', rule: 'caught-up-now' }],
  ]);
  notFiring('consumers-gone', [
    ['no members at one snapshot only: within the grace', [...healthy(3), ...frozen(1, 'Empty', 3)], {}],
    ['grace 90 s: two empty snapshots span only 60 s', [...healthy(3), ...frozen(2, 'Empty', 3)], { emptyGraceSeconds: 90 }],
    ['a member left and rejoined between snapshots (both Stable): never gone', [...healthy(3), ...frozen(2, 'Stable', 3)], {}],
    ['empty, then a member rejoined at the newest snapshot', [...healthy(3), ...frozen(2, 'Empty', 3), ...frozen(1, 'Stable', 5)], {}],
    ['rebalancing is not empty (members are there)', [...healthy(3), ...frozen(2, 'PreparingRebalance', 3)], {}],
    ['state Unknown (Kafka 4 consumer protocol): no fast rule, §2 timing applies', [...healthy(3), ...frozen(2, 'Unknown', 3)], {}],
  ]);
  it('the group verdict says for how long it has had no members', () => {
    expect(judge([...healthy(3), ...frozen(3, 'Empty', 3)]).emptyForSeconds).toBe(120);
  });
});

describe('no-progress (§6.2 rule 5)', () => {
  table([
    ['members, committed offset still for exactly stallAfterSeconds with messages waiting → STALLED', [...healthy(2), ...frozen(3, 'Stable', 2)], {}, { status: 'STALLED', rule: 'no-progress' }],
    ['no members: consumers-gone decides instead (it comes first)', [...healthy(2), ...frozen(4, 'Empty', 2)], {}, { status: 'STOPPED', rule: 'consumers-gone' }],
  ]);
  notFiring('no-progress', [
    ['still for 120 s only', [...healthy(3), ...frozen(2, 'Stable', 3)], {}],
    ['rebalancing now (commits pause during a rebalance)', [...healthy(8), ...frozen(2, 'Stable', 8), ...frozen(1, 'PreparingRebalance', 10)], {}],
    ['CompletingRebalance is rebalancing too', [...healthy(8), ...frozen(2, 'Stable', 8), ...frozen(1, 'CompletingRebalance', 10)], {}],
    ['a rebalance inside the still period restarts the clock', [...healthy(8), ...frozen(1, 'PreparingRebalance', 8), ...frozen(2, 'Stable', 9)], {}],
    ['an idle topic whose consumer never moved: a message that just arrived has not waited', [...Array.from({ length: 5 }, () => ({ r: { c: 500, e: 500 } })), { r: { c: 500, e: 501 } }], {}],
    ['members unknown (state Unknown, no count): §2 timing applies', [...healthy(2), ...frozen(4, 'Unknown', 2)].map((x) => ({ ...x, members: null })), {}],
  ]);
  it('reports how long it has not progressed', () => {
    expect(judge([...healthy(2), ...frozen(4, 'Stable', 2)]).partitions[0]!.stuckForSeconds).toBe(240);
  });
});

describe('falling-behind and time-lag-over-limit (§6.2 rule 6)', () => {
  // Produce 100/min; the consumer takes `share` of it: lag grows (1 − share)·100 a minute.
  const slow = (n: number, share: number, exact = false): Snap[] =>
    Array.from({ length: n }, (_, i) => {
      const e = 10_000 + i * 100;
      const c = 10_000 - 50 + Math.round(i * 100 * share);
      return { r: { c, e, ...(exact ? { age: Math.round(((e - c) / 100) * 60) } : {}) } };
    });
  table([
    ['a full window, lag and time lag growing (consumer at 50 %) → WARNING', slow(10, 0.5), {}, { status: 'WARNING', rule: 'falling-behind' }],
    ['the same with exact record timestamps → WARNING', slow(10, 0.5, true), {}, { status: 'WARNING', rule: 'falling-behind' }],
    ['a consumer at 95 % of the produce rate, full window → WARNING', slow(10, 0.95), {}, { status: 'WARNING', rule: 'falling-behind' }],
    ['growing but the window is not full (startup) → no evidence, OK', slow(9, 0.5), {}, { status: 'OK', rule: 'not-falling-behind' }],
    [
      'steady lag of exactly 2 over a full window (Burrow: WARNING) → OK',
      Array.from({ length: 10 }, (_, i) => ({ r: { c: 5_000 + i * 100 - 2, e: 5_000 + i * 100, age: 1 } })),
      {},
      { status: 'OK', rule: 'not-falling-behind' },
    ],
    ['falling behind with time lag over maxTimeLagSeconds → ERROR', slow(10, 0.5, true), { maxTimeLagSeconds: 240 }, { status: 'ERROR', rule: 'time-lag-over-limit' }],
    [
      'a noisy produce rate: the lag dips now and then but trends up, a minute behind from the start → WARNING',
      [0, 160, 230, 420, 400, 610, 690, 650, 880, 990].map((extra, i) => ({ r: { c: 10_000 + i * 100, e: 10_000 + i * 100 + 300 + extra } })),
      {},
      { status: 'WARNING', rule: 'falling-behind' },
    ],
    [
      'a burst that started inside the window and drains: lag went up then down → OK',
      [3, 2, 4, 3, 150, 300, 250, 150, 60, 20].map((lag, i) => ({ r: { c: 10_000 + i * 100 - lag, e: 10_000 + i * 100 } })),
      {},
      { status: 'OK', rule: 'lag-decreasing' },
    ],
  ]);
  it('keeps Burrow’s status next to the verdict', () => {
    const p = judge(Array.from({ length: 10 }, (_, i) => ({ r: { c: 5_000 + i * 100 - 2, e: 5_000 + i * 100 } }))).partitions[0]!;
    expect([p.burrowStatus, p.burrowRule, p.status]).toEqual(['WARNING', 'lag-not-decreasing', 'OK']);
  });
});

describe('graded rewind (§6.2 rule 6)', () => {
  const offsets = (list: readonly number[], logEnd = (i: number) => 2_000 + i * 10): Snap[] => list.map((c, i) => ({ r: { c, e: logEnd(i) } }));
  table([
    ['dropped and re-reading for stallAfterSeconds → reprocessing, WARNING', offsets([1_000, 1_100, 500, 600, 700, 800]), {}, { status: 'WARNING', rule: 'reprocessing' }],
    ['dropped 2 min ago: too soon to tell a re-read from a loop → rewind-pending, OK', offsets([1_000, 1_100, 1_200, 500, 600, 700]), {}, { status: 'OK', rule: 'rewind-pending' }],
    ['dropped again before getting back → rewind-loop, ERROR', offsets([1_000, 1_100, 500, 600, 500, 600]), {}, { status: 'REWIND', rule: 'rewind-loop' }],
    [
      'dropped, then still for stallAfterSeconds with membership unknown → rewind-loop, ERROR (with members, no-progress comes first)',
      offsets([1_000, 1_100, 1_200, 1_300, 500, 500, 500, 500]).map((x) => ({ ...x, state: 'Unknown' as const, members: null })),
      {},
      { status: 'REWIND', rule: 'rewind-loop' },
    ],
    ['back at the pre-drop offset (>=) → recovered, no rewind', offsets([1_000, 1_100, 500, 800, 1_100, 1_200]), {}, { status: 'OK', rule: 'lag-decreasing' }],
    [
      'dropping from beyond the log end (recreated topic) is the reset that fixes it, not a rewind',
      [...offsets([3_000, 3_000, 3_000], () => 100), ...offsets([10, 100, 150], (i) => 110 + i * 50)],
      {},
      { status: 'OK', rule: 'reset-from-beyond-log-end' },
    ],
  ]);
  it('stays visible after the drop left the window while the incident is open and the consumer is behind', () => {
    // Reset to earliest an hour back: the drop is out of this window, the consumer re-reads 1h-old data.
    const rereading = Array.from({ length: 10 }, (_, i) => ({ r: { c: 10_000 + i * 300, e: 50_000 + i * 100, age: 3_600 - i * 120 } }));
    expect(judge(rereading, {}, { previous: 'WARNING' }).partitions[0]).toMatchObject({ status: 'WARNING', rule: 'catching-up' });
    expect(judge(rereading, {}).partitions[0]).toMatchObject({ status: 'OK', rule: 'lag-decreasing' });
  });
});

describe('hold when blind (§6.2 rule 7)', () => {
  it.each([
    ['an open incident and a collection gap with 1 snapshot after it → the previous status is held, flagged', [...frozen(3, 'Empty'), ...healthy(1, 20).map((s) => ({ ...s, at: 20 }))], 'ERROR', { status: 'ERROR', stale: true, rule: 'stale' }],
    ['after an outage the read has only fresh snapshots (too few to judge) → held', healthy(2, 30).map((s, i) => ({ ...s, at: 30 + i })), 'ERROR', { status: 'ERROR', stale: true, rule: 'stale' }],
    [
      'minimumSnapshots after the gap → judged again (OK resolves)',
      [...frozen(3, 'Empty'), ...healthy(3, 20).map((s, i) => ({ ...s, at: 20 + i }))],
      'ERROR',
      { status: 'OK', stale: false, rule: 'ok' },
    ],
    ['no open incident: nothing to hold', healthy(2, 30).map((s, i) => ({ ...s, at: 30 + i })), undefined, { status: 'OK', stale: false, rule: 'ok' }],
    ['a group whose partitions all lost their commits is judged (never held forever)', [{ r: { c: null, e: 500 } }, { r: { c: null, e: 600 } }, { r: { c: null, e: 700 } }], 'ERROR', { status: 'OK', stale: false }],
    [
      'a worse verdict after a gap is not held back (it is evidence, not blindness)',
      [...healthy(3), { r: { c: 1_150, e: 3_300, start: 1_200 }, at: 20 }],
      'WARNING',
      { status: 'ERROR', stale: false, rule: 'data-loss' },
    ],
  ] as const)('%s', (_reason, snaps, previous, expected) => {
    expect(judge(snaps, {}, { previous })).toMatchObject(expected);
  });
});

describe('not-assigned (§6.2 rule 8)', () => {
  const stuckOld: Snap[] = frozen(6, 'Stable').map((s) => ({ ...s, topic: 'old-topic' }));
  it.each([
    ['members, and no member is assigned the topic → listed, not judged', { 'new-topic': [0] }, { status: 'OK', rule: 'not-assigned', notAssigned: true }],
    ['the topic is assigned → judged (stuck)', { 'old-topic': [0] }, { status: 'STALLED', rule: 'no-progress', notAssigned: false }],
    ['assignments unknown (null) → judged as before', null, { status: 'STALLED', rule: 'no-progress', notAssigned: false }],
  ] as const)('%s', (_reason, assignments, expected) => {
    const snaps = stuckOld.map((s) => ({ ...s, assignments: assignments === null ? null : { ...assignments } }));
    expect(judge(snaps).partitions[0]).toMatchObject(expected);
  });
  it('a group without members is judged even with an assignment map (nobody is assigned anything)', () => {
    const snaps = frozen(6, 'Empty').map((s) => ({ ...s, topic: 'old-topic', assignments: {} }));
    expect(judge(snaps).partitions[0]).toMatchObject({ status: 'STOPPED', rule: 'consumers-gone' });
  });
});

describe('absent signals are unknown, never lag 0 or data loss', () => {
  it('a snapshot without any §6.1 signal judges a stop with Burrow’s timing plus membership', () => {
    const v = judge([...healthy(3), ...frozen(2, 'Stable', 3)]);
    expect(v.partitions[0]).toMatchObject({ status: 'OK', lag: 203n, deletedUnread: null, retentionLeftSeconds: null });
  });
});
