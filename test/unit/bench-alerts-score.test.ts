// The bench:alerts scorer counts a hand-made trace the way §6.4 defines it.
import { describe, expect, it } from 'vitest';
import { combine, quantile, scoreTrace } from '../../bench/alerts-score.js';

const MIN = 60_000;
const at = (minutes: number) => minutes * MIN;

describe('bench:alerts scorer (§6.4)', () => {
  // Incidents: A [10, 30] closed, B [50, 80] closed, C [100, 120] benign (optional), D [150, end] open.
  const incidents = [
    { start: at(10), end: at(30), open: false, expected: 'ERROR' as const },
    { start: at(50), end: at(80), open: false, expected: 'WARNING' as const },
    { start: at(100), end: at(120), open: false, expected: 'WARNING' as const, optional: true },
    { start: at(150), end: at(200), open: true, expected: 'ERROR' as const },
  ];
  const notifications = [
    { kind: 'open' as const, at: at(5), page: true }, // false page: before A
    { kind: 'resolve' as const, at: at(6), page: false },
    { kind: 'open' as const, at: at(12), page: true }, // A detected after 2 min
    { kind: 'repeat' as const, at: at(20), page: false }, // a reminder is no page
    { kind: 'repeat' as const, at: at(21), page: true }, // escalation: a second page in A
    { kind: 'resolve' as const, at: at(31), page: false }, // A resolved 1 min after its end
    { kind: 'open' as const, at: at(55), page: true }, // B after 5 min
    { kind: 'resolve' as const, at: at(60), page: false }, // early: B still on (beyond the 2-interval tolerance)
    { kind: 'open' as const, at: at(65), page: true }, // B's second page
    { kind: 'resolve' as const, at: at(79), page: false }, // within tolerance of B's end: delay 0
    { kind: 'open' as const, at: at(101), page: true }, // benign page in C: neither false nor per-incident
    { kind: 'resolve' as const, at: at(122), page: false }, // C resolved 2 min after its end
    { kind: 'open' as const, at: at(150.5), page: true }, // D after 30 s, open to the end: no resolve expected
    { kind: 'open' as const, at: at(210), page: true }, // false page after the trace's last incident window
  ];
  const verdicts = [
    { at: at(40), verdict: { partitions: [] } },
    { at: at(41), verdict: { partitions: [] } },
    { at: at(42), verdict: { partitions: [{ rule: 'data-loss' }] } },
  ] as never;
  const score = scoreTrace({ incidents, milestones: [{ at: at(40), rule: 'data-loss' }, { at: at(43), rule: 'data-loss' }], notifications, verdicts, intervalMs: MIN });

  it.each([
    ['required incidents (the benign one excluded)', score.incidents, 3],
    ['detected: A, B and D', score.detected, 3],
    ['false pages: before A and after D', score.falsePages, 2],
    ['pages inside required incidents: A 2, B 2, D 1', score.pagesInIncidents, 5],
    ['benign pages', score.optionalPages, 1],
    ['early resolves: B at +60', score.earlyResolves, 1],
    ['missed resolves', score.missedResolves, 0],
    ['milestones missed: none shown after +43', score.milestonesMissed, 1],
  ] as const)('%s', (_reason, actual, expected) => {
    expect(actual).toBe(expected);
  });
  it('detection delays from each incident start, in seconds', () => {
    expect(score.detectionDelays).toEqual([120, 300, 30]);
  });
  it('resolve delays from each closed incident end (A 60 s, B within tolerance 0, C benign 120 s)', () => {
    expect(score.resolveDelays).toEqual([60, 0, 120]);
  });
  it('milestone delay in snapshots: data loss shown 2 snapshots after it happened', () => {
    expect(score.milestoneDelays).toEqual([2]);
  });
  it('an incident already open when it starts counts as detected at once', () => {
    const s = scoreTrace({
      incidents: [{ start: at(10), end: at(20), open: false, expected: 'ERROR' }],
      milestones: [],
      notifications: [{ kind: 'open', at: at(5), page: true }],
      verdicts: [],
      intervalMs: MIN,
    });
    expect([s.detected, s.detectionDelays[0], s.falsePages, s.missedResolves]).toEqual([1, 0, 1, 1]);
  });
  it('combines and ranks: nearest-rank quantiles', () => {
    expect(combine([score, score]).falsePages).toBe(4);
    expect([quantile([30, 120, 300], 0.5), quantile([30, 120, 300], 0.95), quantile([], 0.5)]).toEqual([120, 300, null]);
  });
});
