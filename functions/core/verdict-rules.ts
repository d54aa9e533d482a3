// lagwatch's verdict rules (evaluation.md §6.2), one small named function each, applied in order
// after minimumSnapshots. Burrow's §2 result is an input here, never changed (it is kept next to the
// verdict as burrowStatus/burrowRule). A signal the snapshot does not carry (null or absent) is
// unknown: no rule reads it as data loss or as lag 0, and the §2 + §3 timing decides as before.
import { lagOf } from './offsets.js';
import type { Policy } from './policy.js';
import { isFallingBehind, isTrendingBehind } from './falling-behind.js';
import { timeLag } from './time-lag.js';
import type { GroupSnapshot, TimeLag } from './types.js';
import type { VerdictContext, VerdictRuleResult } from './verdict-context.js';
import type { PartitionSeries } from './window.js';

// ---------------------------------------------------------------------------------------------
// Membership, read from the group's state per snapshot (best effort: Unknown tells nothing).

/** Empty or Dead: the group has no active members. */
export function hasNoMembers(snapshot: GroupSnapshot): boolean {
  return snapshot.state === 'Empty' || snapshot.state === 'Dead';
}

/** Known to have members: a live state, or a member count above 0 when the state is unknown. */
export function hasMembers(snapshot: GroupSnapshot): boolean {
  if (snapshot.state === 'Unknown') return (snapshot.members ?? 0) > 0;
  return !hasNoMembers(snapshot);
}

export function isRebalancing(snapshot: GroupSnapshot): boolean {
  return snapshot.state === 'PreparingRebalance' || snapshot.state === 'CompletingRebalance';
}

function newestOf<T>(items: readonly T[]): T | undefined {
  return items[items.length - 1];
}

/** The oldest element of the trailing run of `items` that all satisfy `holds`, or undefined. */
function trailingRunStart<T>(items: readonly T[], holds: (item: T, index: number) => boolean): { item: T; length: number } | undefined {
  let start = -1;
  for (let i = items.length - 1; i >= 0 && holds(items[i]!, i); i--) start = i;
  return start < 0 ? undefined : { item: items[start]!, length: items.length - start };
}

function waiting(ctx: VerdictContext): boolean {
  return ctx.lag > ctx.policy.allowedLag;
}

const seconds = (ms: number): number => Math.max(0, ms / 1000);

// ---------------------------------------------------------------------------------------------
// §6.2 rules 1–5: the fast rules.

/** Rule 1 (data-loss) — the committed offset is below the log start: retention deleted messages
 * this group never read. Committed == log start is fine (the next message to read still exists). */
export function dataLoss(ctx: VerdictContext): VerdictRuleResult | null {
  const { committedOffset, logStartOffset } = ctx.series.latest;
  if (committedOffset === null || logStartOffset == null || committedOffset >= logStartOffset) return null;
  return { status: 'ERROR', rule: 'data-loss', deletedUnread: logStartOffset - committedOffset };
}

/** Rule 2 (retention-risk) — the oldest unread message is close to the topic's retention: it will
 * be deleted unread soon. Unlimited (-1) or unknown retention, or an unknown time lag, never fire. */
export function retentionRisk(ctx: VerdictContext): VerdictRuleResult | null {
  const retentionMs = ctx.series.latest.retentionMs;
  if (!waiting(ctx) || retentionMs == null || retentionMs <= 0) return null;
  if (ctx.timeLag.kind === 'unknown' || ctx.timeLag.kind === 'none') return null;
  if (ctx.timeLag.seconds * 1000 < ctx.policy.retentionRiskShare * retentionMs) return null;
  return { status: 'ERROR', rule: 'retention-risk', retentionLeftSeconds: Math.max(0, retentionMs / 1000 - ctx.timeLag.seconds) };
}

/** Rule 3 (beyond-log-end) — the committed offset is past the log end (topic recreated or
 * truncated) and nobody is there to reset it, or it has not come back within stallAfterSeconds. */
export function beyondLogEnd(ctx: VerdictContext): VerdictRuleResult | null {
  const { committedOffset, logEndOffset } = ctx.series.latest;
  if (committedOffset === null || logEndOffset === null || committedOffset <= logEndOffset) return null;
  const newest = newestOf(ctx.snapshots);
  const beyond = trailingRunStart(ctx.series.readings, (r) => {
    const c = r.offsets.committedOffset;
    const e = r.offsets.logEndOffset;
    return c !== null && e !== null && c > e;
  });
  const beyondForMs = beyond === undefined || newest === undefined ? 0 : newest.timestamp - beyond.item.timestamp;
  if ((newest !== undefined && hasNoMembers(newest)) || beyondForMs >= ctx.policy.stallAfterSeconds * 1000) {
    return { status: 'ERROR', rule: 'beyond-log-end', stuckForSeconds: seconds(ctx.now - (beyond?.item.timestamp ?? ctx.now)) };
  }
  return null;
}

/** Since when the group has had no members, when it had none at every snapshot of the last
 * emptyGraceSeconds (two snapshots at least); undefined otherwise. */
export function emptySince(snapshots: readonly GroupSnapshot[], policy: Pick<Policy, 'emptyGraceSeconds'>): number | undefined {
  const newest = newestOf(snapshots);
  const run = trailingRunStart(snapshots, hasNoMembers);
  if (newest === undefined || run === undefined || run.length < 2) return undefined;
  return newest.timestamp - run.item.timestamp >= policy.emptyGraceSeconds * 1000 ? run.item.timestamp : undefined;
}

/** Rule 4 (consumers-gone, fast STOPPED) — no members for emptyGraceSeconds while messages wait:
 * the consumers are gone, paged within two snapshots instead of half a window. */
export function consumersGone(ctx: VerdictContext): VerdictRuleResult | null {
  if (!waiting(ctx)) return null;
  return emptySince(ctx.snapshots, ctx.policy) === undefined ? null : { status: 'STOPPED', rule: 'consumers-gone' };
}

/** Rule 5 (no-progress, fast STALLED) — members are there and not rebalancing, messages wait, and
 * the committed offset has not moved for stallAfterSeconds (time spent rebalancing restarts it). */
export function noProgress(ctx: VerdictContext): VerdictRuleResult | null {
  const newest = newestOf(ctx.snapshots);
  const committed = ctx.series.latest.committedOffset;
  if (newest === undefined || committed === null || !waiting(ctx) || !hasMembers(newest) || isRebalancing(newest)) return null;
  // The trailing run stuck at `committed`, messages waiting, members there and not rebalancing. A
  // plain loop (it runs for every waiting partition); one cursor finds each reading's snapshot.
  const { snapshots } = ctx;
  const { readings } = ctx.series;
  let start = -1;
  for (let i = readings.length - 1, j = snapshots.length - 1; i >= 0; i--) {
    const r = readings[i]!;
    if (r.offsets.committedOffset !== committed) break;
    const lag = lagOf(r.offsets.committedOffset, r.offsets.logEndOffset);
    if (lag === null || !(lag > ctx.policy.allowedLag)) break;
    while (j > 0 && snapshots[j]!.timestamp > r.timestamp) j--;
    const group = snapshots[j]!;
    if (group.timestamp !== r.timestamp || !hasMembers(group) || isRebalancing(group)) break;
    start = i;
  }
  const since = readings[start]?.timestamp;
  if (since === undefined || newest.timestamp - since < ctx.policy.stallAfterSeconds * 1000) return null;
  return { status: 'STALLED', rule: 'no-progress', stuckForSeconds: seconds(ctx.now - since) };
}

/** The fast rules, in the order of §6.2: the first that applies decides. */
export const FAST_RULES: readonly ((ctx: VerdictContext) => VerdictRuleResult | null)[] = [
  dataLoss,
  retentionRisk,
  beyondLogEnd,
  consumersGone,
  noProgress,
];

// ---------------------------------------------------------------------------------------------
// §6.2 rule 6: the §2 status, refined (the evidence of falling behind is in falling-behind.ts).

/** Graded rewind — re-reading (committed advancing) is WARNING `reprocessing`; a second drop while
 * the first is not recovered, or no progress for stallAfterSeconds, is ERROR `rewind-loop`. */
export function gradeRewind(ctx: VerdictContext): VerdictRuleResult {
  const points = ctx.series.window;
  const firstDrop = points.findIndex((p, i) => i > 0 && p.offset < points[i - 1]!.offset);
  const before = points[firstDrop - 1];
  const logEndThen = ctx.series.readings.find((r) => r.timestamp === before?.timestamp)?.offsets.logEndOffset;
  // Dropping from beyond the log end (a recreated topic) to a real offset is the reset that fixes
  // beyond-log-end, not a rewind: nothing is re-read.
  if (before !== undefined && logEndThen != null && before.offset > logEndThen) {
    return stillBehind(ctx) ? { status: 'WARNING', rule: 'catching-up' } : { status: 'OK', rule: 'reset-from-beyond-log-end' };
  }
  const secondDrop = points.some((p, i) => i > firstDrop && firstDrop > 0 && p.offset < points[i - 1]!.offset);
  if (secondDrop) return { status: 'REWIND', rule: 'rewind-loop' };
  const last = newestOf(points);
  const newest = newestOf(ctx.snapshots);
  if (last !== undefined && newest !== undefined && newest.timestamp - last.timestamp >= ctx.policy.stallAfterSeconds * 1000) {
    return { status: 'REWIND', rule: 'rewind-loop', stuckForSeconds: seconds(ctx.now - last.timestamp) };
  }
  // Re-reading is established once the consumer has advanced for stallAfterSeconds after the drop;
  // a crash loop drops again before that and pages once, at ERROR, instead of WARNING then ERROR.
  const drop = points[firstDrop];
  if (drop !== undefined && newest !== undefined && newest.timestamp - drop.timestamp < ctx.policy.stallAfterSeconds * 1000) {
    return stillBehind(ctx) ? { status: 'WARNING', rule: 'reprocessing' } : { status: 'OK', rule: 'rewind-pending' };
  }
  return { status: 'WARNING', rule: 'reprocessing' };
}

/** §2 with §3 membership: Burrow's stop is STOPPED when the consumers are gone (or nobody can
 * tell), STALLED when members are there but not committing. */
function membershipStatus(ctx: VerdictContext): VerdictRuleResult {
  const newest = newestOf(ctx.snapshots);
  if (newest !== undefined && hasMembers(newest)) return { status: 'STALLED', rule: 'stopped-with-members' };
  return { status: 'STOPPED', rule: 'stopped' };
}

/** catching-up — an open incident stays open while the partition is still behind: messages wait,
 * it has not caught up in the window, and its oldest unread message is over an interval old. This
 * is what keeps a rewind visible after the drop left the window, until the consumer is back past
 * it, and a slow consumer from flapping when one window's evidence is noisy. */
export function stillBehind(ctx: VerdictContext): boolean {
  return (
    ctx.openIncident !== null &&
    ctx.openIncident !== 'OK' &&
    waiting(ctx) &&
    ctx.timeLag.kind !== 'unknown' &&
    ctx.timeLag.seconds * 1000 >= ctx.intervalMs
  );
}

/** time-lag-over-limit — falling behind with the oldest unread message older than maxTimeLagSeconds. */
function fallingBehindSeverity(ctx: VerdictContext): VerdictRuleResult {
  return ctx.timeLag.seconds > ctx.policy.maxTimeLagSeconds ? { status: 'ERROR', rule: 'time-lag-over-limit' } : { status: 'WARNING', rule: 'falling-behind' };
}

/** Rule 6: the §2 status, refined by membership, evidence, escalation and the graded rewind. */
export function refinedBurrow(ctx: VerdictContext): VerdictRuleResult {
  const { status, rule } = ctx.burrow;
  switch (status) {
    case 'STOPPED':
      return membershipStatus(ctx);
    case 'REWIND':
      return gradeRewind(ctx);
    case 'WARNING': {
      if (isFallingBehind(ctx)) return fallingBehindSeverity(ctx);
      return stillBehind(ctx) ? { status: 'WARNING', rule: 'catching-up' } : { status: 'OK', rule: 'not-falling-behind' };
    }
    case 'OK':
      // Only a window that says "lag decreasing" can be behind; caught up is caught up. A lag that
      // went down now and then but trends up, further behind in time, is still falling behind.
      if (rule !== 'lag-decreasing') return { status, rule };
      if (isTrendingBehind(ctx)) return fallingBehindSeverity(ctx);
      return stillBehind(ctx) ? { status: 'WARNING', rule: 'catching-up' } : { status, rule };
    default:
      return { status, rule };
  }
}

/** The §6.2 verdict for one judged partition (after minimumSnapshots and not-assigned). */
export function judgePartition(ctx: VerdictContext): VerdictRuleResult {
  for (const rule of FAST_RULES) {
    const result = rule(ctx);
    if (result !== null) return result;
  }
  return refinedBurrow(ctx);
}

/** Time lag for the partition's newest reading, interpolated over the window's log-end history. */
export function currentTimeLag(series: PartitionSeries, now: number): TimeLag {
  const committed = series.latest.committedOffset;
  if (committed === null) return { seconds: 0, kind: 'unknown' };
  return timeLag({ committedOffset: committed, history: series.logEndHistory, now, committedRecordTimestamp: series.latest.committedRecordTimestamp ?? null });
}

// ---------------------------------------------------------------------------------------------
// §6.2 rules 7 and 8: group-level.

/** not-assigned — the group has members and no member is assigned this topic: the group stopped
 * consuming it, so its old committed offsets are listed, never judged (abandoned topics never page).
 * Unknown assignments (null/absent) judge as before. */
export function isNotAssigned(newest: GroupSnapshot, topic: string): boolean {
  const assignments = newest.assignments;
  if (assignments == null || !hasMembers(newest)) return false;
  return !Object.prototype.hasOwnProperty.call(assignments, topic);
}

/** The median spacing of the snapshots (ms), when the caller did not say. */
export function inferIntervalMs(snapshots: readonly GroupSnapshot[], fallback = 60_000): number {
  const gaps: number[] = [];
  for (let i = 1; i < snapshots.length; i++) gaps.push(snapshots[i]!.timestamp - snapshots[i - 1]!.timestamp);
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] ?? fallback;
}

/** A gap wider than this many intervals between snapshots (or since the newest) is a collection gap. */
export const GAP_INTERVALS = 1.5;

/** Blind (§6.2 rule 7): the window cannot be trusted to say OK — a collection gap with fewer than
 * minimumSnapshots snapshots after it, no fresh snapshot, or nothing judged yet. */
export function isBlind(input: {
  readonly snapshots: readonly GroupSnapshot[];
  readonly now: number;
  readonly intervalMs: number;
  readonly minimumSnapshots: number;
  readonly nothingJudged: boolean;
}): boolean {
  const { snapshots, now, intervalMs } = input;
  const newest = newestOf(snapshots);
  if (newest === undefined || input.nothingJudged) return true;
  const limit = GAP_INTERVALS * intervalMs;
  if (now - newest.timestamp > limit) return true;
  for (let i = snapshots.length - 1; i > 0; i--) {
    if (snapshots[i]!.timestamp - snapshots[i - 1]!.timestamp > limit) return snapshots.length - i < input.minimumSnapshots;
  }
  return false;
}
