// The evaluation policy as configuration: defaults plus overrides by group-name pattern, validated
// with zod so a bad value fails at startup (or at `cdk synth`) with the key named.
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { compilePattern, DEFAULT_POLICY, type PolicyConfig } from '../core/policy.js';

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

/** The dotted path of a zod issue, e.g. `overrides[2].windowSize`. */
export function issuePath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out || '(root)';
}

/** Throws a ConfigError naming the first bad key, e.g. `policy.overrides[0].windowSize`. */
export function zodToConfigError(error: z.ZodError, keyPrefix: string): ConfigError {
  const issue = error.issues[0]!;
  return new ConfigError(issuePath(keyPrefix, issue.path), issue.message, { cause: error });
}

export function parsePolicyConfig(value: unknown, keyPrefix = 'policy'): PolicyConfig {
  const parsed = policyConfigSchema.safeParse(value ?? {});
  if (!parsed.success) throw zodToConfigError(parsed.error, keyPrefix);
  return {
    defaults: { ...DEFAULT_POLICY, ...toPolicyFields(parsed.data.defaults) },
    overrides: parsed.data.overrides.map(({ match, ...fields }) => ({ match, ...toPolicyFields(fields) })),
  };
}
