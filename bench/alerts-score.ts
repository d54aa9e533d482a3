// Scores what the evaluator sent for one labelled trace (evaluation.md §6.4): a page is an opening
// or an escalation; a false page is one outside every labelled incident; detection delay runs from
// the incident's start; resolve delay from its end (when the consumer had caught up again).
import type { Notification } from '../functions/core/notification.js';
import type { GroupVerdict } from '../functions/core/types.js';
import type { LabelledIncident, Milestone } from './alert-traces.js';

export interface ScoredTrace {
  /** Labelled incidents that must be detected (optional ones excluded). */
  readonly incidents: number;
  /** Pages inside optional (benign) incident windows: not false, not counted per incident. */
  readonly optionalPages: number;
  readonly detected: number;
  /** Seconds from each detected incident's start to its first page. */
  readonly detectionDelays: readonly number[];
  readonly falsePages: number;
  readonly pagesInIncidents: number;
  /** Seconds from each closed incident's end to the resolve (or "gone") message. */
  readonly resolveDelays: readonly number[];
  /** Resolves sent while an incident was still on (before its end, beyond the tolerance). */
  readonly earlyResolves: number;
  /** Closed incidents that never got a resolve. */
  readonly missedResolves: number;
  /** Snapshots from a milestone (e.g. first data loss) to the first verdict naming its rule. */
  readonly milestoneDelays: readonly number[];
  readonly milestonesMissed: number;
}

export interface ScoreInput {
  readonly incidents: readonly LabelledIncident[];
  readonly milestones: readonly Milestone[];
  /** Chronological. */
  readonly notifications: readonly Pick<Notification, 'kind' | 'at' | 'page'>[];
  /** One per evaluation run, chronological (for milestones). */
  readonly verdicts: readonly { readonly at: number; readonly verdict: Pick<GroupVerdict, 'partitions'> | null }[];
  readonly intervalMs: number;
}

/** A resolve this close before the labelled end still counts as the resolve (the label is the true
 * age of the oldest message; the evaluator sees it a snapshot at a time). */
const RESOLVE_TOLERANCE_INTERVALS = 2;

function isPage(n: Pick<Notification, 'kind' | 'page'>): boolean {
  return n.page ?? n.kind === 'open';
}

export function scoreTrace(input: ScoreInput): ScoredTrace {
  const { incidents, notifications, intervalMs } = input;
  const inside = (at: number): LabelledIncident | undefined => incidents.find((i) => at >= i.start && at <= i.end);
  const pages = notifications.filter(isPage);
  const closings = notifications.filter((n) => n.kind === 'resolve' || n.kind === 'gone');

  const detectionDelays: number[] = [];
  const resolveDelays: number[] = [];
  let pagesInIncidents = 0;
  let missedResolves = 0;
  let earlyResolves = 0;
  let required = 0;
  let optionalPages = 0;
  for (const incident of incidents) {
    const mine = pages.filter((p) => p.at >= incident.start && p.at <= incident.end);
    if (incident.optional === true) {
      // Benign: its pages are neither false nor counted per incident; if it paged, it must resolve.
      optionalPages += mine.length;
      if (mine.length === 0 || incident.open) continue;
      const resolve = closings.find((c) => c.at >= mine[0]!.at);
      if (resolve === undefined) missedResolves++;
      else resolveDelays.push(Math.max(0, (resolve.at - incident.end) / 1000));
      continue;
    }
    required++;
    pagesInIncidents += mine.length;
    // Already open when it started (an earlier alert never resolved) counts as detected at once.
    const openBefore = notifications.filter((n) => n.at < incident.start).at(-1);
    if (openBefore !== undefined && (openBefore.kind === 'open' || openBefore.kind === 'repeat')) detectionDelays.push(0);
    else if (mine[0] !== undefined) detectionDelays.push((mine[0].at - incident.start) / 1000);
    const tolerance = incident.end - RESOLVE_TOLERANCE_INTERVALS * intervalMs;
    const firstPage = mine[0]?.at ?? incident.start;
    earlyResolves += closings.filter((c) => c.at > firstPage && c.at < tolerance).length;
    if (incident.open) continue;
    const resolve = closings.find((c) => c.at >= tolerance);
    if (resolve === undefined) missedResolves++;
    else resolveDelays.push(Math.max(0, (resolve.at - incident.end) / 1000));
  }

  const milestoneDelays: number[] = [];
  let milestonesMissed = 0;
  for (const milestone of input.milestones) {
    const runs = input.verdicts.filter((v) => v.at >= milestone.at);
    const shown = runs.findIndex((v) => v.verdict?.partitions.some((p) => p.rule === milestone.rule) === true);
    if (shown < 0) milestonesMissed++;
    else milestoneDelays.push(shown);
  }

  return {
    incidents: required,
    optionalPages,
    detected: detectionDelays.length,
    detectionDelays,
    falsePages: pages.filter((p) => inside(p.at) === undefined).length,
    pagesInIncidents,
    resolveDelays,
    earlyResolves,
    missedResolves,
    milestoneDelays,
    milestonesMissed,
  };
}

export interface FamilyScore extends ScoredTrace {
  readonly traces: number;
}

export function combine(scores: readonly ScoredTrace[]): FamilyScore {
  const sum = (f: (s: ScoredTrace) => number): number => scores.reduce((n, s) => n + f(s), 0);
  const all = (f: (s: ScoredTrace) => readonly number[]): number[] => scores.flatMap(f);
  return {
    traces: scores.length,
    incidents: sum((s) => s.incidents),
    optionalPages: sum((s) => s.optionalPages),
    detected: sum((s) => s.detected),
    detectionDelays: all((s) => s.detectionDelays),
    falsePages: sum((s) => s.falsePages),
    pagesInIncidents: sum((s) => s.pagesInIncidents),
    resolveDelays: all((s) => s.resolveDelays),
    earlyResolves: sum((s) => s.earlyResolves),
    missedResolves: sum((s) => s.missedResolves),
    milestoneDelays: all((s) => s.milestoneDelays),
    milestonesMissed: sum((s) => s.milestonesMissed),
  };
}

/** The value at quantile q (0..1) of the sorted values, nearest rank; null when empty. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
