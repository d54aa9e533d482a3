// Issue 10's lifecycle properties on seeded traces from bench/alert-traces.ts, replayed through the
// backtest path (the evaluator as it runs live): one incident per fault, paged once or escalated
// once, kept open while behind, never resolved while blind, resolved once caught up.
import { describe, expect, it } from 'vitest';
import { generateTrace } from '../../bench/alert-traces.js';
import { replay } from '../../bench/alerts-replay.js';

const MIN = 60_000;

async function lifecycle(family: string, seed: number) {
  const trace = generateTrace(family, seed);
  const { notifications } = await replay(trace);
  const incident = trace.incidents[0]!;
  return {
    trace,
    incident,
    pages: notifications.filter((n) => n.page),
    resolves: notifications.filter((n) => n.kind === 'resolve' || n.kind === 'gone'),
    kinds: notifications.map((n) => n.kind),
  };
}

describe('alert lifecycle on labelled traces', () => {
  it.each([11_001, 11_002, 11_003])('slow consumer (seed %i): a WARNING page within 15 min (and at most one escalation past maxTimeLagSeconds), no flapping, one resolve after it caught up', async (seed) => {
    const { pages, resolves, incident } = await lifecycle('slow-consumer', seed);
    expect(pages[0]!.severity).toBe('WARNING');
    expect(pages.slice(1).map((p) => [p.severity, p.rule])).toEqual(pages.length > 1 ? [['ERROR', 'time-lag-over-limit']] : []);
    expect(pages[0]!.at - incident.start).toBeLessThanOrEqual(15 * MIN);
    expect(resolves).toHaveLength(1);
    expect(resolves[0]!.at).toBeGreaterThanOrEqual(incident.end - 2 * MIN);
    expect(resolves[0]!.at - incident.end).toBeLessThanOrEqual(2 * MIN);
  });

  it.each([16_001, 16_002, 16_003])('reset to earliest (seed %i): paged once, kept open for the hours it re-reads, resolved when caught up', async (seed) => {
    const { pages, resolves, incident } = await lifecycle('reset-to-earliest', seed);
    expect(incident.end - incident.start).toBeGreaterThan(30 * MIN);
    expect(pages).toHaveLength(1);
    expect(resolves.map((r) => r.at - incident.end).every((d) => d >= -2 * MIN && d <= 2 * MIN)).toBe(true);
    expect(resolves).toHaveLength(1);
  });

  it.each([15_001, 15_002, 15_003])('crash loop (seed %i): one incident, open until fixed, at ERROR', async (seed) => {
    const { pages, resolves, incident } = await lifecycle('crash-loop', seed);
    expect(pages.length).toBeGreaterThanOrEqual(1);
    expect(pages.length).toBeLessThanOrEqual(2);
    expect(pages.at(-1)!.severity).toBe('ERROR');
    expect(resolves.every((r) => r.at >= incident.end - 2 * MIN)).toBe(true);
  });

  it('consumers gone with a collector outage inside the incident: no resolve before the consumer is back and caught up', async () => {
    // Find seeded variants whose runs have a gap inside the incident.
    const checked: number[] = [];
    for (let seed = 10_001; seed <= 10_020 && checked.length < 3; seed++) {
      const { trace, incident, resolves, pages } = await lifecycle('consumers-gone', seed);
      const times = trace.runs.map((r) => r.timestamp);
      const gapInside = times.some((t, i) => i > 0 && t - times[i - 1]! > 1.5 * MIN && t > incident.start && t < incident.end);
      if (!gapInside) continue;
      checked.push(seed);
      expect(pages).toHaveLength(1);
      expect(resolves.every((r) => r.at >= incident.end - 2 * MIN)).toBe(true);
    }
    expect(checked.length).toBeGreaterThan(0);
  });
});
