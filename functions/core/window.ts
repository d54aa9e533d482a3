// Shapes a group's snapshot series into Burrow windows, one per partition (evaluation.md §3).
import { lagOf } from './offsets.js';
import type { LogEndPoint } from './time-lag.js';
import type { GroupSnapshot, PartitionOffsets, WindowPoint } from './types.js';

export interface PartitionSeries {
  readonly topic: string;
  readonly partition: number;
  /** The partition as read by the newest snapshot. */
  readonly latest: PartitionOffsets;
  /** One point per run of equal committed offsets, stamped at the first snapshot that showed it. */
  readonly window: readonly WindowPoint[];
  /** Log-end offsets of every snapshot in the window (after a recreation, only those since). */
  readonly brokerOffsets: readonly bigint[];
  readonly logEndHistory: readonly LogEndPoint[];
  /** Every reading of this partition since any recreation, oldest first (the §6 rules read them). */
  readonly readings: readonly Reading[];
  /** Snapshots (since any recreation) in which the group had a committed offset here. */
  readonly snapshotsWithCommit: number;
  /** The log end went backwards inside the window, or sits below the committed offset: the topic
   * was deleted and recreated. Points from before the recreation are dropped, so it is no rewind. */
  readonly topicRecreated: boolean;
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export function comparePartitions(
  a: { readonly topic: string; readonly partition: number },
  b: { readonly topic: string; readonly partition: number },
): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}

export interface Reading {
  readonly timestamp: number;
  readonly offsets: PartitionOffsets;
  /** `offsets.logEndOffset` again: a reading whose log end is known is its own LogEndPoint, so the
   * log-end history needs no object per reading (2 million of them at 200,000 partitions). */
  readonly logEndOffset: bigint | null;
}

/** A reading with a known log end, usable as a point of the log-end history. */
export function hasLogEnd(reading: Reading): reading is Reading & LogEndPoint {
  return reading.logEndOffset !== null;
}

export function readingOf(timestamp: number, offsets: PartitionOffsets): Reading {
  return { timestamp, offsets, logEndOffset: offsets.logEndOffset };
}

function seriesOf(readings: readonly Reading[], latest: PartitionOffsets): PartitionSeries {
  let start = 0;
  let recreated = false;
  for (let i = 1; i < readings.length; i++) {
    const before = readings[i - 1]!.offsets.logEndOffset;
    const after = readings[i]!.offsets.logEndOffset;
    if (before !== null && after !== null && after < before) {
      // A log end never shrinks on a live topic: everything before this reading is another topic.
      start = i;
      recreated = true;
    }
  }
  const kept = start === 0 ? readings : readings.slice(start);
  const window: WindowPoint[] = [];
  const brokerOffsets: bigint[] = [];
  const logEndHistory: readonly LogEndPoint[] = kept.every(hasLogEnd) ? kept : kept.filter(hasLogEnd);
  let snapshotsWithCommit = 0;
  for (const { timestamp, offsets } of kept) {
    if (offsets.logEndOffset !== null) brokerOffsets.push(offsets.logEndOffset);
    const committed = offsets.committedOffset;
    if (committed === null) continue;
    snapshotsWithCommit++;
    if (window[window.length - 1]?.offset === committed) continue;
    window.push({ offset: committed, timestamp, lag: lagOf(committed, offsets.logEndOffset) });
  }
  const beyondEnd =
    latest.committedOffset !== null && latest.logEndOffset !== null && latest.logEndOffset < latest.committedOffset;
  return {
    topic: latest.topic,
    partition: latest.partition,
    latest,
    window,
    brokerOffsets,
    logEndHistory,
    readings: kept,
    snapshotsWithCommit,
    topicRecreated: recreated || beyondEnd,
  };
}

/** Snapshots list their partitions in one (topic, partition) order — the DynamoDB chunks store
 * them sorted — so each reading is found at the same index as in the newest snapshot. True when
 * every snapshot lists exactly the newest's partitions at the same indexes, and the newest has no
 * partition twice: then pairing by index is the same as pairing by key, without a key per reading. */
function sameLayout(snapshots: readonly GroupSnapshot[], newest: readonly PartitionOffsets[]): boolean {
  for (let i = 1; i < newest.length; i++) if (comparePartitions(newest[i - 1]!, newest[i]!) >= 0) return false;
  for (const snapshot of snapshots) {
    const partitions = snapshot.partitions;
    if (partitions === newest) continue;
    if (partitions.length !== newest.length) return false;
    for (let i = 0; i < partitions.length; i++) {
      const a = partitions[i]!;
      const b = newest[i]!;
      if (a.partition !== b.partition || a.topic !== b.topic) return false;
    }
  }
  return true;
}

/**
 * One series per partition of the NEWEST snapshot, sorted by (topic, partition). A partition the
 * group no longer reports (it stopped consuming the topic) is not judged any more, so it cannot
 * raise a ghost alert; it disappears from storage when it leaves the window.
 * `snapshots` must be oldest first.
 */
export function buildPartitionSeries(snapshots: readonly GroupSnapshot[]): PartitionSeries[] {
  const newest = snapshots[snapshots.length - 1];
  if (newest === undefined) return [];
  if (sameLayout(snapshots, newest.partitions)) {
    return newest.partitions.map((latest, i) => {
      const readings: Reading[] = [];
      for (const snapshot of snapshots) readings.push(readingOf(snapshot.timestamp, snapshot.partitions[i]!));
      return seriesOf(readings, latest);
    });
  }
  const readings = new Map<string, Reading[]>();
  for (const p of newest.partitions) readings.set(partitionKey(p.topic, p.partition), []);
  for (const snapshot of snapshots) {
    for (const offsets of snapshot.partitions) {
      readings.get(partitionKey(offsets.topic, offsets.partition))?.push(readingOf(snapshot.timestamp, offsets));
    }
  }
  return [...newest.partitions]
    .sort(comparePartitions)
    .map((latest) => seriesOf(readings.get(partitionKey(latest.topic, latest.partition)) ?? [], latest));
}
