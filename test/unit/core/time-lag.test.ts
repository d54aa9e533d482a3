import { describe, expect, it } from 'vitest';
import { timeLag, type LogEndPoint } from '../../../functions/core/time-lag.js';

const h = (...pairs: [number, number][]): LogEndPoint[] => pairs.map(([s, o]) => ({ timestamp: s * 1000, logEndOffset: BigInt(o) }));

describe('time lag', () => {
  it.each([
    ['caught up: no unconsumed message', 100, h([0, 90], [60, 100]), 120, { seconds: 0, kind: 'none' }],
    ['no history at all: unknown, reported as 0', 100, [], 120, { seconds: 0, kind: 'unknown' }],
    // Offsets 90..109 arrived over 60 s; offset 100 is the 11th of 20 → appended 33 s in → 87 s old at 120 s.
    ['interpolates when the log end passed the committed offset between two snapshots', 100, h([0, 90], [60, 110]), 120, { seconds: 87, kind: 'interpolated' }],
    ['the message arrived at the later snapshot exactly', 100, h([0, 100], [60, 101]), 60, { seconds: 0, kind: 'interpolated' }],
    ['older than the kept history: a lower bound from the oldest snapshot', 100, h([0, 150], [60, 200]), 120, { seconds: 120, kind: 'lower-bound' }],
    ['one snapshot only: lower bound', 100, h([30, 150]), 120, { seconds: 90, kind: 'lower-bound' }],
    ['a clock that runs behind the history never gives a negative age', 100, h([0, 90], [60, 110]), 10, { seconds: 0, kind: 'interpolated' }],
  ] as const)('%s', (_reason, committed, history, now, expected) => {
    expect(timeLag({ committedOffset: BigInt(committed), history, now: now * 1000 })).toEqual(expected);
  });
  it('uses the record timestamp at the committed offset when the collector read it', () => {
    expect(timeLag({ committedOffset: 100n, history: h([0, 150]), now: 120_000, committedRecordTimestamp: 20_000 })).toEqual({ seconds: 100, kind: 'exact' });
  });
  it('is finite and non-negative on arbitrary histories', () => {
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let run = 0; run < 500; run++) {
      let t = rand(1000);
      let o = rand(1000);
      const history: LogEndPoint[] = Array.from({ length: 1 + rand(12) }, () => ({ timestamp: (t += rand(120_000)), logEndOffset: BigInt((o += rand(50))) }));
      const { seconds } = timeLag({ committedOffset: BigInt(rand(1500)), history, now: t + rand(60_000) - 30_000 });
      expect(Number.isFinite(seconds) && seconds >= 0).toBe(true);
    }
  });
  it('handles offsets above 2^53', () => {
    const big = 2n ** 62n;
    const r = timeLag({ committedOffset: big, history: [{ timestamp: 0, logEndOffset: big }, { timestamp: 60_000, logEndOffset: big + 2n }], now: 90_000 });
    expect(r).toEqual({ seconds: 60, kind: 'interpolated' });
  });
});
