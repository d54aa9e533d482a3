// Evidence that a consumer is falling behind (evaluation.md §6.2 rule 6, the "falling-behind" and
// trend refinements of Burrow's WARNING and "lag decreasing"): time lag measured at both ends of a
// full window, and the lag's trend across it. Pure functions of one partition's readings.
import { lagOf } from './offsets.js';
import { timeLag, type LogEndPoint } from './time-lag.js';
import type { TimeLag } from './types.js';
import type { VerdictContext } from './verdict-context.js';
import { hasLogEnd, type Reading } from './window.js';

const spanSeconds = (fromMs: number, toMs: number): number => Math.max(0, (toMs - fromMs) / 1000);

/** Time lag (s) at reading `i`, as the collector saw it then: exact from the record timestamp when
 * carried, else interpolated over the log ends read up to that reading. */
function timeLagAt(readings: readonly Reading[], history: LogEndHistory, i: number): TimeLag | null {
  const reading = readings[i]!;
  const committed = reading.offsets.committedOffset;
  if (committed === null) return null;
  return timeLag({ committedOffset: committed, history: history.upTo(i), now: reading.timestamp, committedRecordTimestamp: reading.offsets.committedRecordTimestamp ?? null });
}

/** The log ends read up to each reading, from one pass over the readings (not one per reading). */
interface LogEndHistory {
  upTo(i: number): LogEndPoint[];
}

function logEndHistory(readings: readonly Reading[]): LogEndHistory {
  const points: LogEndPoint[] = [];
  const counts: number[] = [];
  for (const r of readings) {
    if (hasLogEnd(r)) points.push(r);
    counts.push(points.length);
  }
  return { upTo: (i) => points.slice(0, counts[i]) };
}

/** Smallest growth in time lag over a full window that counts as falling behind, as a share of
 * the window's span: a consumer at 95 % of the produce rate loses 5 % of the elapsed time. */
export const FALLING_BEHIND_MIN_SHARE = 0.04;

/** The time lag (seconds) at an early reading and at the newest, both measured (exact, or
 * interpolated between log ends actually read — never extrapolated from a rate, which a noisy
 * produce rate would turn into a fake trend), and the span between them. The early reading is the
 * first whose committed offset the window's history can place, if that leaves at least half the
 * window; a consumer further behind than that is compared by offsets only (`start` null). */
export function timeLagEnds(readings: readonly Reading[]): { start: number | null; end: number; spanSeconds: number } | null {
  const last = readings.length - 1;
  if (last < 1) return null;
  const history = logEndHistory(readings);
  const end = timeLagAt(readings, history, last);
  if (end === null || end.kind === 'unknown') return null;
  const measured = (t: TimeLag | null): t is TimeLag => t !== null && (t.kind === 'exact' || t.kind === 'interpolated' || t.kind === 'none');
  for (let i = 0; i <= Math.floor(last / 2); i++) {
    const start = timeLagAt(readings, history, i);
    if (measured(start) && measured(end)) return { start: start.seconds, end: end.seconds, spanSeconds: spanSeconds(readings[i]!.timestamp, readings[last]!.timestamp) };
  }
  return { start: null, end: end.seconds, spanSeconds: spanSeconds(readings[0]!.timestamp, readings[last]!.timestamp) };
}

/** Kendall's tau of the lags over the readings (-1..1): the share of pairs that grew minus the
 * share that shrank. A trend, not a monotone run, so a noisy produce rate cannot hide it. */
export function lagTrend(readings: readonly Reading[]): number {
  const lags = readings.map((r) => lagOf(r.offsets.committedOffset, r.offsets.logEndOffset));
  let score = 0;
  let pairs = 0;
  for (let i = 0; i < lags.length; i++) {
    for (let j = i + 1; j < lags.length; j++) {
      const a = lags[i];
      const b = lags[j];
      if (a == null || b == null) continue;
      pairs++;
      score += b > a ? 1 : b < a ? -1 : 0;
    }
  }
  return pairs === 0 ? 0 : score / pairs;
}

/** The lag trend over a window that, with the time-lag growth, counts as falling behind even when
 * the lag went down now and then (a consumer capped below a noisy produce rate). */
export const FALLING_BEHIND_MIN_TREND = 0.5;

/** falling-behind — WARNING needs evidence: a full window, the lag grew, and the consumer is
 * further behind in time than at the window's start. A steady lag (always 2, time lag ~0) is OK. */
export function isFallingBehind(ctx: VerdictContext): boolean {
  const { readings } = ctx.series;
  if (ctx.series.snapshotsWithCommit < ctx.policy.windowSize || readings.length < ctx.policy.windowSize) return false;
  const first = readings[0]!;
  const firstLag = lagOf(first.offsets.committedOffset, first.offsets.logEndOffset);
  if (firstLag === null || !(ctx.lag > firstLag)) return false;
  const ends = timeLagEnds(readings);
  if (ends === null) return false;
  // Behind by more than half the window all along: the lag grew, and nothing places the start in time.
  if (ends.start === null) return true;
  return ends.end - ends.start >= FALLING_BEHIND_MIN_SHARE * ends.spanSeconds;
}

/** The same evidence for a lag that went down now and then: it must trend up across the window and
 * the consumer must already have been half an interval behind at the window's start — more than a
 * consumer that keeps up ever is — so a burst or a rebalance pause that began inside the window
 * (and drains) is not mistaken for a slow consumer. */
export function isTrendingBehind(ctx: VerdictContext): boolean {
  if (lagTrend(ctx.series.readings) < FALLING_BEHIND_MIN_TREND || !isFallingBehind(ctx)) return false;
  const ends = timeLagEnds(ctx.series.readings);
  return ends !== null && (ends.start === null || ends.start * 1000 >= ctx.intervalMs / 2);
}
