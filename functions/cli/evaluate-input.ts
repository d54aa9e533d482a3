// The shape of `evaluate` and `evaluate-partition` input, checked with zod (the config's schema
// library) before core/serialize.ts converts it: an unknown or misspelled key (`comittedOffset`)
// is an error naming the key and where it is, never silently "no commits".
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { GroupState, MissingSignal } from '../core/types.js';

const STATES = new Set<string>(Object.values(GroupState));
const SIGNALS = new Set<string>(Object.values(MissingSignal));

const OFFSET_HINT = 'a non-negative integer (a JSON number or a decimal string)';
/** A value check with lagwatch's own message (zod's defaults name types, not what to write). */
const check = (ok: (v: unknown) => boolean, message: string) =>
  z.unknown().refine(ok, { error: (issue) => `must be ${message}, got ${JSON.stringify(issue.input) ?? 'nothing'}` });
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isOffset = (v: unknown): boolean => isCount(v) || (typeof v === 'string' && /^\d+$/.test(v));
const orNull = (ok: (v: unknown) => boolean) => (v: unknown): boolean => v === null || ok(v);
const offset = check(isOffset, OFFSET_HINT);
const epochMs = check(isCount, 'epoch milliseconds (a non-negative integer)');
const nullable = (ok: (v: unknown) => boolean, what: string) => check(orNull(ok), `${what} or null`);
const text = check((v) => typeof v === 'string' && v !== '', 'a non-empty string');

const partitionSchema = z.strictObject({
  topic: text,
  partition: check(isCount, 'a non-negative integer'),
  // Required, null allowed: a missing key is a typo or a truncated file, not "never committed".
  committedOffset: nullable(isOffset, OFFSET_HINT),
  logEndOffset: nullable(isOffset, OFFSET_HINT),
  committedRecordTimestamp: nullable(isCount, 'epoch milliseconds').optional(),
  logStartOffset: nullable(isOffset, OFFSET_HINT).optional(),
  retentionMs: nullable((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= -1, 'milliseconds (an integer, -1 for unlimited)').optional(),
  missingSignals: check(
    (v) => Array.isArray(v) && v.every((s) => SIGNALS.has(s as string)),
    `an array of ${[...SIGNALS].join(', ')}`,
  ).optional(),
});

const snapshotSchema = z.strictObject({
  cluster: text,
  group: text,
  timestamp: epochMs,
  state: check((v) => STATES.has(v as string), `one of ${[...STATES].join(', ')}`).optional(),
  members: nullable(isCount, 'a non-negative integer').optional(),
  assignments: nullable(
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((ps) => Array.isArray(ps) && ps.every(isCount)),
    'an object of topic → array of partition numbers',
  ).optional(),
  partitions: z.array(partitionSchema, { error: 'must be a JSON array of partitions' }),
});

/** `evaluate`: `{ now?, policy?, snapshots: [...] }`; the policy is checked by the policy schema. */
export const seriesInputSchema = z.strictObject(
  {
    now: epochMs.optional(),
    policy: z.unknown().optional(),
    // Free text the scenario files carry (test/scenarios/*.json): read by people, ignored here.
    description: z.unknown().optional(),
    expect: z.unknown().optional(),
    snapshots: z.array(snapshotSchema, { error: 'must be a JSON array of group snapshots, oldest first' }),
  },
  { error: 'input must be a JSON object { "now"?, "policy"?, "snapshots": [...] }' },
);

const pointSchema = z.strictObject({ offset, timestamp: epochMs, lag: nullable(isOffset, OFFSET_HINT) });

/** `evaluate-partition`: one window input (README "evaluate-partition"). */
export const partitionInputSchema = z.strictObject(
  {
    window: z.array(pointSchema, { error: 'must be a JSON array of {offset, timestamp, lag}' }),
    brokerOffsets: z.array(offset, { error: `must be a JSON array of offsets` }),
    currentLag: offset,
    now: epochMs,
    allowedLag: offset.optional(),
    windowSize: check((v) => isCount(v) && (v as number) > 0, 'a positive integer').optional(),
    minimumComplete: check((v) => typeof v === 'number' && v >= 0 && v <= 1, 'a number from 0 to 1').optional(),
  },
  { error: 'must be a JSON object' },
);

function pathText(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? 'input' : out;
}

/** The closest known key within two edits, for "did you mean". */
function closest(key: string, known: readonly string[]): string | null {
  let best: { key: string; distance: number } | null = null;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d <= 2 && (best === null || d < best.distance)) best = { key: candidate, distance: d };
  }
  return best?.key ?? null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

function knownKeys(schema: z.ZodType, path: readonly PropertyKey[], root: unknown): string[] {
  // Walk the schema along the issue's path to the object that holds the unknown key.
  let current: z.ZodType = schema;
  let value: unknown = root;
  for (const key of path) {
    value = (value as Record<PropertyKey, unknown>)[key];
    if (current instanceof z.ZodObject) current = current.shape[key as string] as z.ZodType;
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else return [];
    if (current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

/** Validates `value` against `schema`; the first problem becomes an InputError naming the key. */
export function checkInput<T>(schema: z.ZodType<T>, value: unknown, where = ''): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // An unknown key first: a misspelled key also shows up as the real one "missing".
  const issue = result.error.issues.find((i) => i.code === 'unrecognized_keys') ?? result.error.issues[0]!;
  const at = pathText(where, issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(schema, issue.path, value);
    const keys = issue.keys.map((k) => {
      const hint = closest(k, known);
      return `"${k}"${hint === null ? '' : ` (did you mean "${hint}"?)`}`;
    });
    throw new InputError(`${at}: unknown key ${keys.join(', ')}; known keys: ${known.join(', ')}`, { context: { field: at } });
  }
  let held: unknown = value;
  let present = true;
  for (const key of issue.path) {
    if (typeof held !== 'object' || held === null || !(key in held)) {
      present = false;
      break;
    }
    held = (held as Record<PropertyKey, unknown>)[key];
  }
  const missing = !present && issue.path.length > 0;
  throw new InputError(`${at}: ${missing ? 'is missing' : issue.message}`, { context: { field: at } });
}
