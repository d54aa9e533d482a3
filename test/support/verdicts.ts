// Verdict builders for tests that need a GroupVerdict without running the evaluation.
import type { GroupVerdict, PartitionVerdict } from '../../functions/core/types.js';

export function partitionVerdict(p: Partial<PartitionVerdict> = {}): PartitionVerdict {
  return {
    topic: 'orders',
    partition: 0,
    status: 'OK',
    complete: 1,
    rule: 'x',
    committedOffset: 10n,
    logEndOffset: 20n,
    lag: 10n,
    timeLag: { seconds: 0, kind: 'none' },
    insufficientData: false,
    noCommits: false,
    topicRecreated: false,
    ...p,
  };
}

/** A verdict over `partitions`; totalLag is their sum unless given. */
export function groupVerdict(v: Partial<GroupVerdict> & { partitions?: PartitionVerdict[] } = {}): GroupVerdict {
  const partitions = v.partitions ?? [partitionVerdict()];
  return {
    cluster: 'local',
    group: 'g',
    status: 'OK',
    evaluatedAt: 0,
    state: 'Stable',
    members: 1,
    complete: 1,
    totalLag: partitions.reduce((sum, p) => sum + (p.lag ?? 0n), 0n),
    maxLag: null,
    maxTimeLag: { seconds: 0, kind: 'none' },
    snapshots: 10,
    ...v,
    partitions,
  };
}
