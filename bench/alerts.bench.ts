// bench:alerts — labelled traces (bench/alert-traces.ts) replayed through the backtest path (the
// evaluator exactly as it runs live: runEvaluation per stored run, in-memory alert state), scored
// per family and in total by the §6.4 definitions. Prints tables; never fails on a number.
//   npm run bench:alerts [-- --variants N] [--family NAME] [--verbose] [--burrow]
import { parseArgs } from 'node:util';
import { renderTable } from '../functions/cli/table.js';
import { FAMILIES, generateTrace, INTERVAL_MS } from './alert-traces.js';
import { burrowNotifications, replay } from './alerts-replay.js';
import { combine, quantile, scoreTrace, type FamilyScore, type ScoredTrace } from './alerts-score.js';

const secs = (v: number | null): string => (v === null ? '-' : `${Math.round(v)}s`);

function row(name: string, s: FamilyScore): string[] {
  const pages = s.incidents === 0 ? '-' : (s.pagesInIncidents / s.incidents).toFixed(2);
  return [
    name,
    String(s.traces),
    String(s.incidents),
    s.incidents === 0 ? '-' : `${s.detected}/${s.incidents}`,
    secs(quantile(s.detectionDelays, 0.5)),
    secs(quantile(s.detectionDelays, 0.95)),
    secs(quantile(s.detectionDelays, 1)),
    String(s.falsePages),
    pages,
    String(s.optionalPages),
    secs(quantile(s.resolveDelays, 0.5)),
    secs(quantile(s.resolveDelays, 1)),
    String(s.earlyResolves),
    String(s.missedResolves),
    s.milestoneDelays.length + s.milestonesMissed === 0 ? '-' : `${quantile(s.milestoneDelays, 1) ?? '-'} (${s.milestonesMissed} missed)`,
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      variants: { type: 'string', default: '5' },
      family: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      // Also score Burrow's rules alone (burrowStatus) through the same lifecycle, as a baseline.
      burrow: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const variants = Number(values.variants);
  const families = FAMILIES.filter((f) => values.family === undefined || f.name === values.family);
  const started = Date.now();
  const byFamily = new Map<string, ScoredTrace[]>();
  const baseline = new Map<string, ScoredTrace[]>();
  let runs = 0;
  for (const [f, family] of families.entries()) {
    for (let v = 0; v < variants; v++) {
      const trace = generateTrace(family.name, 1 + FAMILIES.indexOf(family) * 1_000 + v);
      const { notifications, verdicts } = await replay(trace);
      runs += trace.runs.length;
      const score = scoreTrace({ incidents: trace.incidents, milestones: trace.milestones, notifications, verdicts, intervalMs: INTERVAL_MS });
      byFamily.set(family.name, [...(byFamily.get(family.name) ?? []), score]);
      if (values.burrow) {
        const burrow = scoreTrace({ incidents: trace.incidents, milestones: [], notifications: burrowNotifications(trace, verdicts), verdicts, intervalMs: INTERVAL_MS });
        baseline.set(family.name, [...(baseline.get(family.name) ?? []), burrow]);
      }
      if (values.verbose) {
        const at = (t: number): string => `+${Math.round((t - trace.start) / 60_000)}m`;
        console.log(`${family.name} ${trace.variant}: incidents ${trace.incidents.map((i) => `[${at(i.start)}..${at(i.end)}${i.open ? ' open' : ''}]`).join(' ') || 'none'}`);
        for (const n of notifications) console.log(`  ${at(n.at)} ${n.kind}${n.page ? ' PAGE' : ''} ${n.severity} ${n.subject}`);
      }
    }
    void f;
  }
  const header = ['FAMILY', 'TRACES', 'INCIDENTS', 'DETECTED', 'DELAY p50', 'p95', 'max', 'FALSE PAGES', 'PAGES/INCIDENT', 'BENIGN PAGES', 'RESOLVE p50', 'max', 'EARLY RESOLVES', 'NO RESOLVE', 'DATA-LOSS Δsnapshots'];
  const rows = families.map((f) => row(f.name, combine(byFamily.get(f.name) ?? [])));
  const total = combine([...byFamily.values()].flat());
  rows.push(row('TOTAL', total));
  console.log(`bench:alerts — ${families.length} families × ${variants} variants, ${runs} runs at ${INTERVAL_MS / 1000}s, default policy (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  const right = new Set([1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  console.log(renderTable(header, rows, right));
  if (values.burrow) {
    const burrowRows = families.map((f) => row(f.name, combine(baseline.get(f.name) ?? [])));
    burrowRows.push(row('TOTAL', combine([...baseline.values()].flat())));
    console.log('\nBaseline: Burrow\'s rules alone (§2 + §3 membership, each verdict\'s burrowStatus), same lifecycle and policy');
    console.log(renderTable(header, burrowRows, right));
  }
}

await main();
