// `evaluate-partition` (Burrow's rules on raw windows; the contract used to check verdicts against
// Burrow's test cases) and `evaluate` (a group's snapshot series → the full lagwatch verdict).
import { parsePolicyConfig } from '../config/policy.js';
import { InputError } from '../core/errors.js';
import { formatCount, formatTimeLag } from '../core/format.js';
import { evaluateGroup } from '../core/group.js';
import { evaluatePartition } from '../core/partition-rules.js';
import { resolvePolicy } from '../core/policy.js';
import { groupSnapshotFromJson, partitionInputFromJson, verdictToJson } from '../core/serialize.js';
import type { GroupSnapshot, GroupVerdict } from '../core/types.js';
import { parseCommandArgs } from '../local/cli-args.js';
import { checkInput, partitionInputSchema, seriesInputSchema } from './evaluate-input.js';
import { printJson, readJsonInput } from './io.js';
import { renderTable } from './table.js';

const PARTITION_USAGE = `usage: lagwatch evaluate-partition [--file FILE]

Burrow's rules on raw windows. Reads one object or an array (JSON, stdin or --file):
{"window": [{"offset", "timestamp", "lag"}], "brokerOffsets": [...], "currentLag", "now",
 "allowedLag"?, "windowSize"?, "minimumComplete"?}; prints {"status", "complete", "rule"} per input,
an array for an array, on one line. Offsets are JSON numbers or decimal strings; times epoch ms.`;

const SERIES_USAGE = `usage: lagwatch evaluate [--file FILE] [--json]

A group's snapshot series (JSON, stdin or --file) → its verdict: {"now"?, "policy"?, "snapshots":
[{"cluster", "group", "timestamp", "state"?, "members"?, "partitions": [{"topic", "partition",
"committedOffset", "logEndOffset", ...}]}]}, oldest first. A table, or JSON with --json. Unknown or
misspelled keys are errors (exit 2). Ready-made inputs: test/scenarios/*.json.`;

/** stdin: one object or an array; stdout: one result or an array, in order. §2 exactly. */
export async function evaluatePartitionCommand(argv: readonly string[]): Promise<number> {
  const parsedArgs = parseCommandArgs('evaluate-partition', PARTITION_USAGE, argv, { file: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } });
  if ('exit' in parsedArgs) return parsedArgs.exit;
  const input = await readJsonInput(parsedArgs.values.file);
  const items = Array.isArray(input) ? input : [input];
  // Parse everything first: a bad item fails the whole call before any verdict is printed.
  const parsed = items.map((item, i) => {
    const where = Array.isArray(input) ? `[${i}]` : '';
    checkInput(partitionInputSchema, item, where);
    return partitionInputFromJson(item, where || 'input');
  });
  const results = parsed.map((p) => {
    const r = evaluatePartition(p);
    return { status: r.status, complete: r.complete, rule: r.rule };
  });
  // One line per result: the README's examples, and easy to diff or grep.
  process.stdout.write(`${JSON.stringify(Array.isArray(input) ? results : results[0])}\n`);
  return 0;
}

export interface SeriesDocument {
  readonly now: number;
  readonly snapshots: readonly GroupSnapshot[];
  readonly policy: ReturnType<typeof parsePolicyConfig>;
}

/** The `evaluate` input: `{ now?, policy?, snapshots: [GroupSnapshot, ...] }` (see README). */
export function seriesDocumentFromJson(value: unknown): SeriesDocument {
  checkInput(seriesInputSchema, value);
  const doc = value as Record<string, unknown> & { snapshots: unknown[] };
  const snapshots = doc.snapshots.map((s, i) => groupSnapshotFromJson(s, `snapshots[${i}]`));
  const newest = snapshots[snapshots.length - 1];
  if (newest === undefined) throw new InputError('snapshots: is empty; give at least one snapshot');
  const now = doc.now ?? newest.timestamp;
  if (typeof now !== 'number' || !Number.isSafeInteger(now) || now < newest.timestamp) {
    throw new InputError(`now: must be epoch milliseconds at or after the newest snapshot (${newest.timestamp}), got ${JSON.stringify(doc.now)}`);
  }
  return { now, snapshots, policy: parsePolicyConfig(doc.policy ?? {}, 'policy') };
}

export function evaluateSeries(doc: SeriesDocument): GroupVerdict {
  const first = doc.snapshots[0]!;
  return evaluateGroup({
    cluster: first.cluster,
    group: first.group,
    snapshots: doc.snapshots,
    policy: resolvePolicy(doc.policy, first.group),
    now: doc.now,
  });
}

export function renderVerdict(v: GroupVerdict): string {
  const head =
    `${v.cluster} / ${v.group}: ${v.status}${v.rule && v.rule !== 'ok' ? ` (${v.rule})` : ''}${v.stale ? ' [stale: held after a collection gap]' : ''}  burrow ${v.burrowStatus ?? '-'}  total lag ${formatCount(v.totalLag)}  time lag ${formatTimeLag(v.maxTimeLag)}` +
    `  state ${v.state} (${v.members ?? '?'} members)  complete ${(v.complete * 100).toFixed(0)}%  ${v.snapshots} snapshots`;
  const rows = v.partitions.map((p) => [
    p.topic,
    String(p.partition),
    p.status,
    p.committedOffset?.toString() ?? '-',
    p.logEndOffset?.toString() ?? '-',
    p.lag === null ? (p.noCommits ? 'no commits' : '-') : formatCount(p.lag),
    formatTimeLag(p.timeLag),
    p.rule + (p.topicRecreated ? ' (topic recreated)' : ''),
    `${p.burrowStatus ?? '-'}/${p.burrowRule ?? '-'}`,
  ]);
  const table = renderTable(['TOPIC', 'PARTITION', 'STATUS', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'TIME-LAG', 'RULE', 'BURROW'], rows, new Set([1, 3, 4, 5]));
  return `${head}\n${table}`;
}

export async function evaluateCommand(argv: readonly string[]): Promise<number> {
  const parsedArgs = parseCommandArgs('evaluate', SERIES_USAGE, argv, {
    file: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if ('exit' in parsedArgs) return parsedArgs.exit;
  const { values } = parsedArgs;
  const verdict = evaluateSeries(seriesDocumentFromJson(await readJsonInput(values.file)));
  if (values.json) printJson(verdictToJson(verdict));
  else process.stdout.write(`${renderVerdict(verdict)}\n`);
  return 0;
}
