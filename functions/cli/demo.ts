// `lagwatch demo`: the live demo, headless. Runs for --duration seconds, then prints the final
// verdicts (a table, or JSON with --json: nothing else on stdout; progress and alerts go to stderr).
import { DEMO_SCENARIOS, scenarioOf, ticksToSettle } from '../local/demo-actors.js';
import { checkDemoVerdicts, demoReport } from '../local/demo-report.js';
import { exitOnUsageError, parseBrokerList, parseCommandArgs, positiveNumber, webhookUrl } from '../local/cli-args.js';
import {
  Cleanup,
  DEMO_INTERVAL_MS,
  DEMO_WINDOW,
  createLineLogger,
  demoPolicy,
  localNotifier,
  openLocalStore,
  runLocal,
  setUpDemo,
  withShutdown,
} from '../local/local-mode.js';
import { LiveView, renderTable } from './view.js';

const USAGE = `usage: lagwatch demo [--duration SECONDS] [--json] [--brokers HOST:PORT] [--interval SECONDS]
                     [--window N] [--data-dir DIR] [--webhook URL] [--check] [--kafka-version V]

Starts a local Kafka broker (or uses --brokers), plays five consumer groups (${DEMO_SCENARIOS.join(', ')})
for --duration seconds (default 120), snapshotting every --interval seconds (default 5) with a window of
--window snapshots (default 10), then prints the final verdicts. --check exits 1 unless every group
ended as expected. The store is a temporary folder unless --data-dir is given.`;

export async function demoCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs('demo', USAGE, argv, {
    duration: { type: 'string' },
    json: { type: 'boolean', default: false },
    brokers: { type: 'string' },
    interval: { type: 'string' },
    window: { type: 'string' },
    'data-dir': { type: 'string' },
    webhook: { type: 'string' },
    check: { type: 'boolean', default: false },
    'kafka-version': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  return exitOnUsageError('demo', async () => {
    const durationMs = (positiveNumber(values.duration, '--duration') ?? 120) * 1000;
    const intervalMs = Math.round((positiveNumber(values.interval, '--interval', { min: 0.5, max: 3600 }) ?? DEMO_INTERVAL_MS / 1000) * 1000);
    const windowSize = positiveNumber(values.window, '--window', { integer: true, min: 2, max: 100 }) ?? DEMO_WINDOW;
    const brokers = values.brokers === undefined ? null : parseBrokerList(values.brokers, '--brokers');
    const webhook = webhookUrl(values.webhook);
    return playDemo({ values, durationMs, intervalMs, windowSize, brokers, webhook });
  });
}

async function playDemo(input: {
  values: { json: boolean; check: boolean; 'data-dir'?: string; 'kafka-version'?: string };
  durationMs: number;
  intervalMs: number;
  windowSize: number;
  brokers: string[] | null;
  webhook: string | null;
}): Promise<number> {
  const { values, durationMs, intervalMs, windowSize, brokers, webhook } = input;
  const json = values.json;
  const err = (text: string): void => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  // In --json mode stdout carries the JSON only; everything else goes to stderr.
  const view = json ? null : new LiveView(process.stdout);
  const show = (text: string): void => (view ? view.message(text) : err(text));
  const logger = createLineLogger(show, 'warn');
  const cleanup = new Cleanup();

  const needed = ticksToSettle(windowSize);
  if (durationMs / intervalMs < needed) {
    err(`lagwatch demo: ${durationMs / 1000}s at ${intervalMs / 1000}s a snapshot gives ${Math.floor(durationMs / intervalMs)} snapshots; ` +
      `the verdicts settle after about ${needed} (use --duration ${Math.ceil((needed * intervalMs) / 1000)} or more)`);
  }

  return withShutdown(async (signal) => {
    try {
      const store = await openLocalStore(values['data-dir'] ?? null, false, cleanup);
      const progress = (message: string): void => (view ? view.progress(message) : err(`[progress] ${message}`));
      const demo = await setUpDemo({
        brokers,
        intervalMs,
        progress,
        actorLogger: createLineLogger(show, 'info'),
        cleanup,
        signal,
        ...(values['kafka-version'] ? { kafkaVersion: values['kafka-version'] } : {}),
      });
      if (signal.aborted) return 130;
      const started = Date.now();
      const latest = await runLocal({
        targets: [{ cluster: demo.cluster, onTick: (r) => demo.actors.onTick(r.tick) }],
        store,
        policy: demoPolicy(windowSize),
        intervalMs,
        notifier: localNotifier(show, webhook),
        logger,
        signal,
        until: started + durationMs,
        cleanup,
        onUpdate: (result, all) => {
          const heading = `lagwatch demo · tick ${result.tick} · ${new Date(result.scheduledAt).toISOString()} · ${Math.max(0, Math.round((started + durationMs - result.scheduledAt) / 1000))}s left`;
          if (view) view.render(all, heading);
          else err(`[progress] ${heading}`);
        },
      });
      const verdicts = (latest.get(demo.cluster.name) ?? []).filter((v) => scenarioOf(demo.names, v.group) !== null);
      if (signal.aborted) err('lagwatch demo: interrupted; the verdicts below are from the last tick');
      if (json) process.stdout.write(`${JSON.stringify(demoReport(demo.names, verdicts), null, 2)}\n`);
      else process.stdout.write(`\nfinal verdicts:\n${renderTable(verdicts, { colour: process.stdout.isTTY === true }).join('\n')}\n`);
      if (values.check) {
        const problems = checkDemoVerdicts(demo.names, verdicts);
        for (const p of problems) err(`lagwatch demo --check: ${p}`);
        return problems.length === 0 ? 0 : 1;
      }
      return signal.aborted ? 130 : 0;
    } catch (error) {
      if (signal.aborted) return 130; // Ctrl-C while starting: stopped, not failed
      throw error;
    } finally {
      await cleanup.run(logger);
    }
  }, () => err('\nlagwatch demo: stopping (consumers, collector, broker, store)…'));
}
