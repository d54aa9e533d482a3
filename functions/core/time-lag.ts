// Lag in time: the age of the oldest unconsumed message (evaluation.md §4). Never NaN, negative or
// infinite; when only a bound is known, the bound is reported and flagged.
import type { TimeLag } from './types.js';

export interface LogEndPoint {
  readonly timestamp: number;
  readonly logEndOffset: bigint;
}

export interface TimeLagInput {
  readonly committedOffset: bigint;
  /** Log-end offsets as read by the snapshots, oldest first. */
  readonly history: readonly LogEndPoint[];
  readonly now: number;
  /** Timestamp of the record at the committed offset, when the collector could read it. */
  readonly committedRecordTimestamp?: number | null;
}

const NONE: TimeLag = { seconds: 0, kind: 'none' };

function secondsBetween(from: number, to: number): number {
  const seconds = (to - from) / 1000;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
}

/** When was the message at `committedOffset` appended? Interpolated over the log-end history. */
export function timeLag(input: TimeLagInput): TimeLag {
  const { committedOffset, history, now } = input;
  const latest = history[history.length - 1];
  if (latest === undefined) return { seconds: 0, kind: 'unknown' };
  if (latest.logEndOffset <= committedOffset) return NONE;
  if (input.committedRecordTimestamp != null) {
    return { seconds: secondsBetween(input.committedRecordTimestamp, now), kind: 'exact' };
  }
  // The first snapshot whose log end is past the committed offset: the message arrived before it.
  const after = history.findIndex((p) => p.logEndOffset > committedOffset);
  const afterPoint = history[after]!;
  const beforePoint = after > 0 ? history[after - 1] : undefined;
  if (beforePoint === undefined) {
    // Already there at the oldest snapshot we kept: it is at least this old.
    return { seconds: secondsBetween(afterPoint.timestamp, now), kind: 'lower-bound' };
  }
  const produced = Number(committedOffset + 1n - beforePoint.logEndOffset);
  const arrived = Number(afterPoint.logEndOffset - beforePoint.logEndOffset);
  const share = arrived > 0 ? Math.min(1, Math.max(0, produced / arrived)) : 1;
  const at = beforePoint.timestamp + share * (afterPoint.timestamp - beforePoint.timestamp);
  return { seconds: secondsBetween(at, now), kind: 'interpolated' };
}
