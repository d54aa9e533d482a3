// Burrow's partition rules (evaluation.md §2), one small named function each, applied in order.
import type { PartitionRuleResult, PartitionStatus, PartitionWindowInput } from './types.js';

/** Rule 1 — a caught-up consumer is fine however old its commits. */
export function isCaughtUp(input: PartitionWindowInput): boolean {
  return input.currentLag <= input.allowedLag;
}

/** Rule 2 — the consumer went silent for longer than the window spans and was never caught up in it. */
export function isStopped(input: PartitionWindowInput): boolean {
  const first = input.window[0];
  const last = input.window[input.window.length - 1];
  if (first === undefined || last === undefined) return false;
  const silentFor = input.now - last.timestamp;
  const span = last.timestamp - first.timestamp;
  if (!(silentFor > span)) return false;
  return !input.brokerOffsets.some((logEnd) => logEnd <= last.offset);
}

/** Rule 3 — the committed offset went backwards and has not come back to where it dropped from. */
export function isRewind(input: PartitionWindowInput): boolean {
  const points = input.window;
  for (let i = 1; i < points.length; i++) {
    const before = points[i - 1]!.offset;
    if (points[i]!.offset < before) {
      // Only the first drop is examined; reaching the old offset again (>=) counts as recovered.
      return !points.slice(i).some((p) => p.offset >= before);
    }
  }
  return false;
}

/** Rule 4 — some point in the window had (known) lag within allowedLag: it caught up recently. */
export function hasZeroLagInWindow(input: PartitionWindowInput): boolean {
  return input.window.some((p) => p.lag !== null && p.lag <= input.allowedLag);
}

/** Rule 5 — the committed offset never moved across the window (one point qualifies). */
export function isStalled(input: PartitionWindowInput): boolean {
  const first = input.window[0];
  return first !== undefined && input.window.every((p) => p.offset === first.offset);
}

/** Rule 6 — the known lags never decrease oldest to newest (a steady non-zero lag included). */
export function isLagNotDecreasing(input: PartitionWindowInput): boolean {
  let previous: bigint | null = null;
  for (const point of input.window) {
    if (point.lag === null) continue;
    if (previous !== null && point.lag < previous) return false;
    previous = point.lag;
  }
  return true;
}

/** Share of the window's slots that hold points (Burrow: points / window size), 0..1. */
export function completeness(input: PartitionWindowInput): number {
  const size = input.windowSize ?? input.window.length;
  if (size <= 0) return 0;
  return Math.min(1, input.window.length / size);
}

interface Rule {
  readonly name: string;
  readonly applies: (input: PartitionWindowInput) => boolean;
  readonly status: PartitionStatus;
}

// The order is the specification: the first rule that applies decides.
const RULES: readonly Rule[] = [
  { name: 'caught-up-now', applies: isCaughtUp, status: 'OK' },
  { name: 'stopped', applies: isStopped, status: 'STOPPED' },
  { name: 'rewind', applies: isRewind, status: 'REWIND' },
  { name: 'caught-up-in-window', applies: hasZeroLagInWindow, status: 'OK' },
  { name: 'stalled', applies: isStalled, status: 'STALLED' },
  { name: 'lag-not-decreasing', applies: isLagNotDecreasing, status: 'WARNING' },
];

/** Evaluates one partition's window exactly as evaluation.md §2 states. */
export function evaluatePartition(input: PartitionWindowInput): PartitionRuleResult {
  const complete = completeness(input);
  if (input.minimumComplete !== undefined && complete < input.minimumComplete) {
    return { status: 'OK', complete, rule: 'incomplete-window' };
  }
  if (input.window.length === 0 && !isCaughtUp(input)) {
    // Nothing committed in the window: no rule can judge it (listed as "no commits" at group level).
    return { status: 'OK', complete, rule: 'empty-window' };
  }
  for (const rule of RULES) {
    if (rule.applies(input)) return { status: rule.status, complete, rule: rule.name };
  }
  return { status: 'OK', complete, rule: 'lag-decreasing' };
}
