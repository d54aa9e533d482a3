// Per-group policy as data: defaults plus overrides matched by group-name pattern (evaluation.md §4).
import picomatch from 'picomatch';
import type { GroupStatus } from './types.js';

/** The least severe group status that opens an alert. */
export type AlertSeverity = Extract<GroupStatus, 'WARNING' | 'ERROR'>;

export interface Policy {
  /** A lag at or below this counts as caught up (transactional topics need >= 1). */
  readonly allowedLag: bigint;
  /** Snapshots per window (Burrow's intervals). */
  readonly windowSize: number;
  /** Below this many snapshots a partition is OK and flagged insufficientData. */
  readonly minimumSnapshots: number;
  /** Share of the window that must hold points before a partition is judged (0 = always). */
  readonly minimumComplete: number;
  readonly alertSeverity: AlertSeverity;
  readonly team: string;
  readonly mute: boolean;
  /** Repeat an open alert at most this often while it stays bad (ms). */
  readonly repeatIntervalMs: number;
  /** Publish per-partition CloudWatch metrics for this group (the cost trap: opt in only). */
  readonly partitionMetrics: boolean;
  /** 'lagging': per-group metrics only while the group is not OK or among the cluster's top lagging
   * groups (cost); 'always': every run. */
  readonly groupMetrics: 'lagging' | 'always';
  /** consumers-gone: the group had no members at every snapshot of this many seconds (§6.2 rule 4). */
  readonly emptyGraceSeconds: number;
  /** no-progress / beyond-log-end / rewind-loop: the committed offset stood still this long (§6.2). */
  readonly stallAfterSeconds: number;
  /** retention-risk: time lag at or above this share of the topic's retention (0..1). */
  readonly retentionRiskShare: number;
  /** time-lag-over-limit: a falling-behind partition whose oldest unconsumed message is older pages ERROR. */
  readonly maxTimeLagSeconds: number;
}

export interface PolicyOverride extends Partial<Policy> {
  /** Group-name pattern: a glob (`payments-*`, `?` one character) or a regex between slashes (`/^pay/`). */
  readonly match: string;
}

export interface PolicyConfig {
  readonly defaults: Policy;
  /** Applied in order; a later match overrides an earlier one, key by key. */
  readonly overrides: readonly PolicyOverride[];
}

export const DEFAULT_POLICY: Policy = {
  allowedLag: 0n,
  windowSize: 10,
  minimumSnapshots: 3,
  minimumComplete: 0,
  alertSeverity: 'WARNING',
  team: 'default',
  mute: false,
  repeatIntervalMs: 60 * 60 * 1000,
  partitionMetrics: false,
  groupMetrics: 'lagging',
  emptyGraceSeconds: 60,
  stallAfterSeconds: 180,
  retentionRiskShare: 0.8,
  maxTimeLagSeconds: 1800,
};

/**
 * The one pattern syntax of lagwatch (policy overrides, cluster allow/deny, --group-pattern): a
 * regex between slashes (`/^pay/i`, unanchored, flags allowed but `g`/`y`, which make `test`
 * stateful), otherwise a glob as picomatch reads it (`payments-*`, `my-[a-z]*`, `{a,b}-*`, `?`;
 * `*` stops at `/`, `**` crosses it). Throws naming the pattern when it cannot be compiled (config
 * validation calls this, so a bad pattern fails at startup, never mid-run).
 */
export function compilePattern(pattern: string): RegExp {
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  if (regex) {
    const flags = regex[2] ?? '';
    if (/[gy]/.test(flags)) throw new SyntaxError(`pattern ${JSON.stringify(pattern)}: the g and y flags make matching stateful; drop them`);
    try {
      return new RegExp(regex[1] ?? '', flags);
    } catch (error) {
      throw new SyntaxError(`pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  try {
    // strictBrackets: an unclosed `[` is an error, not silently a literal character.
    return picomatch.makeRe(pattern, { dot: true, strictBrackets: true });
  } catch (error) {
    throw new SyntaxError(`pattern ${JSON.stringify(pattern)} is not a valid glob: ${(error as Error).message}`);
  }
}

export function matchesPattern(pattern: string, name: string): boolean {
  return compilePattern(pattern).test(name);
}

/** The effective policy for one group. */
export function resolvePolicy(config: PolicyConfig, group: string): Policy {
  let policy: Policy = config.defaults;
  for (const { match, ...override } of config.overrides) {
    if (!matchesPattern(match, group)) continue;
    const defined = Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined));
    policy = { ...policy, ...defined };
  }
  return policy;
}
