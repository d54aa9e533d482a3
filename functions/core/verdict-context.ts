// What every §6.2 verdict rule reads (one partition's window, in its group's context) and what a
// rule returns. Apart from verdict-rules.ts so the rules and falling-behind.ts, which both read it,
// do not import each other back.
import type { Policy } from './policy.js';
import type { GroupSnapshot, GroupStatus, PartitionRuleResult, PartitionStatus, TimeLag } from './types.js';
import type { PartitionSeries } from './window.js';

export interface VerdictContext {
  readonly series: PartitionSeries;
  /** The group's snapshots in the window, oldest first (membership per snapshot). */
  readonly snapshots: readonly GroupSnapshot[];
  readonly policy: Policy;
  readonly now: number;
  /** The deployment's snapshot interval (ms). */
  readonly intervalMs: number;
  /** Current lag (known: the caller handles "no commits" and an unknown log end). */
  readonly lag: bigint;
  readonly timeLag: TimeLag;
  /** Burrow's §2 result for this window. */
  readonly burrow: PartitionRuleResult;
  /** The status of the group's open incident, or null when none is open. */
  readonly openIncident: GroupStatus | null;
}

export interface VerdictRuleResult {
  readonly status: PartitionStatus;
  readonly rule: string;
  readonly deletedUnread?: bigint;
  readonly retentionLeftSeconds?: number;
  readonly stuckForSeconds?: number;
}
