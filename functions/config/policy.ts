// The evaluation policy as configuration: defaults plus overrides by group-name pattern, validated
// with zod so a bad value fails at startup (or at `cdk synth`) with the key named.
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { configErrorOf } from './config-error.js';
import { compilePattern, DEFAULT_POLICY, type Policy, type PolicyConfig } from '../core/policy.js';

const lagCount = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, 'a decimal string of digits')])
  .transform((v) => BigInt(v));

const policyFields = {
  /** Lag at or below this counts as caught up. */
  allowedLag: lagCount,
  windowSize: z.number().int().min(2).max(100),
  minimumSnapshots: z.number().int().min(1).max(100),
  minimumComplete: z.number().min(0).max(1),
  alertSeverity: z.enum(['WARNING', 'ERROR']),
  team: z.string().min(1),
  mute: z.boolean(),
  /** Seconds in config (people write seconds); milliseconds inside. */
  repeatIntervalSeconds: z.number().int().min(60),
  partitionMetrics: z.boolean(),
  groupMetrics: z.enum(['lagging', 'always']),
  emptyGraceSeconds: z.number().int().min(1).max(86_400),
  stallAfterSeconds: z.number().int().min(1).max(7 * 86_400),
  retentionRiskShare: z.number().gt(0).max(1),
  maxTimeLagSeconds: z.number().int().min(1),
};

const pattern = z.string().min(1).superRefine((value, ctx) => {
  try {
    compilePattern(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a valid pattern: ${(error as Error).message}` });
  }
});

const partialFields = z.object(policyFields).partial().strict();
const overrideSchema = partialFields.extend({ match: pattern }).strict();

export const policyConfigSchema = z
  .object({
    defaults: partialFields.default({}),
    overrides: z.array(overrideSchema).default([]),
  })
  .strict();

export type PolicyConfigInput = z.input<typeof policyConfigSchema>;

type Fields = z.output<typeof partialFields>;

function toPolicyFields({ repeatIntervalSeconds, ...rest }: Fields) {
  return { ...rest, ...(repeatIntervalSeconds === undefined ? {} : { repeatIntervalMs: repeatIntervalSeconds * 1000 }) };
}

export interface PolicyLoadOptions {
  /** The deployment's snapshot interval (ms): grace and stall times shorter than it cannot work. */
  readonly snapshotIntervalMs?: number;
}

/** The most points a collapsed window can hold when Burrow's stopped rule fires: the consumer must
 * have been silent for longer than its points span, so at most half the window's snapshots. */
export function maxStoppedWindowShare(windowSize: number): number {
  return Math.floor(windowSize / 2) / windowSize;
}

/** Cross-field checks on one effective policy; `where` names the key's prefix (e.g. `policy.overrides[1]`). */
function checkCombination(policy: Policy, where: string, options: PolicyLoadOptions): void {
  const interval = options.snapshotIntervalMs;
  if (policy.minimumSnapshots > policy.windowSize) {
    throw new ConfigError(
      `${where}.minimumSnapshots`,
      `${policy.minimumSnapshots} is more than windowSize ${policy.windowSize}: no window ever holds that many snapshots, so nothing would be judged; lower it or raise windowSize`,
    );
  }
  const share = maxStoppedWindowShare(policy.windowSize);
  if (policy.minimumComplete > share) {
    throw new ConfigError(
      `${where}.minimumComplete`,
      `${policy.minimumComplete} can never be met by a consumer that stopped: its window collapses to at most ${Math.floor(policy.windowSize / 2)} of ${policy.windowSize} points when the stopped rule fires, so it would never be reported; use ${share} or less`,
    );
  }
  if (interval !== undefined) {
    for (const key of ['emptyGraceSeconds', 'stallAfterSeconds'] as const) {
      if (policy[key] * 1000 < interval) {
        throw new ConfigError(
          `${where}.${key}`,
          `${policy[key]} s is shorter than the snapshot interval (${interval / 1000} s): it cannot be observed between two snapshots; use ${interval / 1000} or more`,
        );
      }
    }
  }
}

export function parsePolicyConfig(value: unknown, keyPrefix = 'policy', options: PolicyLoadOptions = {}): PolicyConfig {
  const parsed = policyConfigSchema.safeParse(value ?? {});
  if (!parsed.success) throw configErrorOf(parsed.error, keyPrefix);
  // Unset grace and stall times follow a slow snapshot interval (one interval at least), so a
  // 5-minute deployment works without them; a value set shorter than the interval is an error.
  const interval = options.snapshotIntervalMs;
  const atLeastInterval = (seconds: number): number => (interval === undefined ? seconds : Math.max(seconds, Math.ceil(interval / 1000)));
  const base: Policy = {
    ...DEFAULT_POLICY,
    emptyGraceSeconds: atLeastInterval(DEFAULT_POLICY.emptyGraceSeconds),
    stallAfterSeconds: atLeastInterval(DEFAULT_POLICY.stallAfterSeconds),
  };
  const config: PolicyConfig = {
    defaults: { ...base, ...toPolicyFields(parsed.data.defaults) },
    overrides: parsed.data.overrides.map(({ match, ...fields }) => ({ match, ...toPolicyFields(fields) })),
  };
  checkCombination(config.defaults, `${keyPrefix}.defaults`, options);
  config.overrides.forEach(({ match: _, ...override }, i) => {
    const defined = Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined));
    checkCombination({ ...config.defaults, ...defined }, `${keyPrefix}.overrides[${i}]`, options);
  });
  return config;
}
