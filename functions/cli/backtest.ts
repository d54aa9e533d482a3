// `lagwatch backtest --store DIR --policy FILE`: replays the local store's history through a
// (changed) policy and prints, oldest first, every alert it would have sent — to tune a window or
// allowedLag before enabling it.
import { FileStore } from '../adapters/local/file-store.js';
import type { Notification } from '../core/notification.js';
import { InputError } from '../core/errors.js';
import { parsePolicyConfig } from '../config/policy.js';
import type { PolicyConfig } from '../core/policy.js';
import { loadLocalConfig } from '../local/local-config.js';
import { runBacktest, type BacktestResult } from '../local/backtest.js';
import { UsageError, exitOnUsageError, parseCommandArgs, positiveNumber } from '../local/cli-args.js';
import { createLineLogger } from '../local/local-mode.js';
import { readJsonInput } from './io.js';

const USAGE = `usage: lagwatch backtest --store DIR (--policy FILE | --config FILE) [--cluster NAME] [--from TIME]
                         [--to TIME] [--interval SECONDS] [--json] [--verbose]

Replays the snapshots kept in a local store (the --data-dir of lagwatch start, default .lagwatch)
through a policy and prints the alerts it would have sent, oldest first. The policy is a policy
file ({"defaults": {...}, "overrides": [...]}) or the "policy" inside a lagwatch.config.json. Every cluster in the store unless --cluster; --from/--to take ISO times or
epoch ms; --interval defaults to the spacing of the stored runs; --verbose prints each message body.`;

function parseTime(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new UsageError(`${flag} expects an ISO time or epoch milliseconds, got ${JSON.stringify(value)}`);
  return ms;
}

function kindCounts(notifications: readonly Notification[]): string {
  const counts = new Map<string, number>();
  for (const n of notifications) counts.set(n.kind, (counts.get(n.kind) ?? 0) + 1);
  return [...counts.entries()].map(([k, c]) => `${c} ${k}`).join(', ') || 'none';
}

export function formatBacktestLine(n: Notification): string {
  return `${new Date(n.at).toISOString()}  ${n.kind.toUpperCase().padEnd(7)}  ${n.severity.padEnd(7)}  ${n.cluster}/${n.group}  ${n.subject}`;
}

function printText(results: readonly BacktestResult[], verbose: boolean): void {
  const out: string[] = [];
  for (const r of results) {
    const span = r.from === null ? 'no runs' : `${r.runs} runs from ${new Date(r.from).toISOString()} to ${new Date(r.to ?? r.from).toISOString()}, every ${r.intervalMs / 1000}s`;
    out.push(`cluster ${r.cluster}: ${span}`);
    for (const n of r.notifications) {
      out.push(formatBacktestLine(n));
      if (verbose) out.push(...n.text.split('\n').map((l) => `    ${l}`));
    }
    const groups = new Set(r.notifications.filter((n) => n.kind === 'open').map((n) => n.group));
    out.push(`${r.notifications.length} alert message(s): ${kindCounts(r.notifications)}; ${groups.size} group(s) opened an incident`);
    if (r.failures.length > 0) out.push(`${r.failures.length} group evaluation(s) failed, first: ${r.failures[0]!.group}: ${r.failures[0]!.error}`);
    out.push('');
  }
  process.stdout.write(out.join('\n'));
}

export async function backtestCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs('backtest', USAGE, argv, {
    store: { type: 'string' },
    policy: { type: 'string' },
    config: { type: 'string' },
    cluster: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    interval: { type: 'string' },
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  return exitOnUsageError('backtest', async () => {
    if (values.store === undefined) throw new UsageError('--store DIR is required (the --data-dir of lagwatch start, e.g. .lagwatch)');
    if ((values.policy === undefined) === (values.config === undefined)) {
      throw new UsageError('give one of --policy FILE (policy JSON: {"defaults": {...}, "overrides": [...]}) or --config lagwatch.config.json');
    }
    const from = parseTime(values.from, '--from');
    const to = parseTime(values.to, '--to');
    const intervalSeconds = positiveNumber(values.interval, '--interval', { min: 0.5, max: 86_400 });
    const policy =
      values.config === undefined ? parsePolicyConfig(await readJsonInput(values.policy), values.policy) : (await loadLocalConfig(values.config)).policy;
    return backtest({ ...values, store: values.store, policy, from, to, intervalSeconds });
  });
}

async function backtest(values: {
  store: string;
  policy: PolicyConfig;
  cluster?: string;
  from: number | undefined;
  to: number | undefined;
  intervalSeconds: number | undefined;
  json: boolean;
  verbose: boolean;
}): Promise<number> {
  const { from, to, intervalSeconds, policy } = values;
  const store = await FileStore.open(values.store, { readOnly: true });
  await store.verify();
  const clusters = values.cluster === undefined ? await store.listClusters() : [values.cluster];
  if (values.cluster !== undefined && !(await store.listClusters()).includes(values.cluster)) {
    throw new InputError(`cluster ${values.cluster} has no history in ${values.store}; it holds: ${(await store.listClusters()).join(', ') || 'nothing yet'}`);
  }
  // The evaluator's own warnings (e.g. a gap in the history) are worth seeing, on stderr.
  const logger = createLineLogger((line) => process.stderr.write(`${line}\n`), 'error');
  const results: BacktestResult[] = [];
  for (const cluster of clusters) {
    results.push(
      await runBacktest({
        store,
        cluster,
        policy,
        intervalMs: intervalSeconds === undefined ? null : Math.round(intervalSeconds * 1000),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        logger,
      }),
    );
  }
  if (values.json) {
    const json = results.map((r) => ({
      cluster: r.cluster,
      runs: r.runs,
      from: r.from,
      to: r.to,
      intervalMs: r.intervalMs,
      alerts: r.notifications.map((n) => ({
        at: new Date(n.at).toISOString(),
        kind: n.kind,
        severity: n.severity,
        cluster: n.cluster,
        group: n.group,
        team: n.team,
        incidentId: n.incidentId,
        subject: n.subject,
        worstPartitions: n.worstPartitions,
        ...(values.verbose ? { text: n.text } : {}),
      })),
      failures: r.failures,
    }));
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    printText(results, values.verbose);
  }
  return 0;
}
