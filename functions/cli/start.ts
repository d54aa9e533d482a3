// `lagwatch start` (`npm start`): local mode. With no cluster configured it plays the live demo on
// a local broker; with --brokers or --config it watches that real cluster. Collector and evaluator
// run in-process every interval against the file store in --data-dir (default .lagwatch/).
import { readJsonInput } from './io.js';
import { loadAppConfig } from '../config/app-config.js';
import { parseClusterConfig } from '../config/cluster.js';
import { parsePolicyConfig } from '../config/policy.js';
import type { PolicyConfig } from '../core/policy.js';
import {
  Cleanup,
  DEFAULT_DATA_DIR,
  DEMO_INTERVAL_MS,
  DEMO_WINDOW,
  createLineLogger,
  demoPolicy,
  localNotifier,
  openLocalStore,
  runLocal,
  setUpDemo,
  withShutdown,
  type WatchTarget,
} from '../local/local-mode.js';
import { UsageError, exitOnUsageError, parseBrokerList, parseCommandArgs, positiveNumber, webhookUrl } from '../local/cli-args.js';
import { LiveView } from './view.js';

const USAGE = `usage: lagwatch start [--brokers HOST:PORT[,...] | --config FILE] [options]

With neither --brokers nor --config: starts a local Kafka broker and plays the live demo
(five consumer groups: healthy, slow, stopped, stuck, rewound).

  --brokers LIST       watch this cluster (add --demo to play the demo on it instead)
  --config FILE        watch every cluster of an app config file (the one cdk deploy reads)
  --cluster NAME       cluster name for --brokers (default local)
  --policy FILE        policy JSON for --brokers (defaults, overrides); --config brings its own
  --interval SECONDS   snapshot interval (default 5 for the demo, 60 or the config's otherwise)
  --window N           demo window size in snapshots (default 10)
  --data-dir DIR       local store (default ${DEFAULT_DATA_DIR}/ in the current folder)
  --reset              delete the local store first
  --webhook URL        also post alerts to this Slack-compatible incoming webhook
  --demo               play the demo on --brokers instead of watching it
  --verbose            log every collection and evaluation
  --kafka-version V    Kafka version of the demo broker (default 3.9.1)`;

export async function startCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs('start', USAGE, argv, {
    brokers: { type: 'string' },
    config: { type: 'string' },
    cluster: { type: 'string' },
    policy: { type: 'string' },
    interval: { type: 'string' },
    window: { type: 'string' },
    'data-dir': { type: 'string' },
    reset: { type: 'boolean', default: false },
    webhook: { type: 'string' },
    demo: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    'kafka-version': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  return exitOnUsageError('start', async () => {
    if (values.brokers !== undefined && values.config !== undefined) throw new UsageError('--brokers and --config are exclusive: give one');
    if (values.demo && values.config !== undefined) throw new UsageError('--demo plays on a local broker or on --brokers, not on --config clusters');
    if (values.policy !== undefined && values.config !== undefined) throw new UsageError('--policy is for --brokers; a --config file carries its own policy');
    if (values.cluster !== undefined && values.brokers === undefined) throw new UsageError('--cluster names the --brokers cluster; give --brokers too');
    return watch({
      values,
      brokers: values.brokers === undefined ? null : parseBrokerList(values.brokers, '--brokers'),
      intervalSeconds: positiveNumber(values.interval, '--interval', { min: 0.5, max: 86_400 }),
      windowSize: positiveNumber(values.window, '--window', { integer: true, min: 2, max: 100 }) ?? DEMO_WINDOW,
      webhook: webhookUrl(values.webhook),
    });
  });
}

interface WatchInput {
  readonly values: {
    config?: string;
    cluster?: string;
    policy?: string;
    'data-dir'?: string;
    reset: boolean;
    demo: boolean;
    verbose: boolean;
    'kafka-version'?: string;
  };
  readonly brokers: string[] | null;
  readonly intervalSeconds: number | undefined;
  readonly windowSize: number;
  readonly webhook: string | null;
}

async function watch({ values, brokers, intervalSeconds, windowSize, webhook }: WatchInput): Promise<number> {
  const demoMode = values.demo || (brokers === null && values.config === undefined);

  const view = new LiveView(process.stdout);
  const show = (text: string): void => view.message(text);
  const logger = createLineLogger(show, values.verbose ? 'info' : 'warn');
  const cleanup = new Cleanup();
  const dataDir = values['data-dir'] ?? DEFAULT_DATA_DIR;

  return withShutdown(async (signal) => {
    try {
      const store = await openLocalStore(dataDir, values.reset, cleanup);
      let targets: WatchTarget[];
      let policy: PolicyConfig;
      let intervalMs: number;
      let title: string;
      if (demoMode) {
        intervalMs = Math.round((intervalSeconds ?? DEMO_INTERVAL_MS / 1000) * 1000);
        const demo = await setUpDemo({
          brokers,
          intervalMs,
          progress: (m) => view.progress(m),
          actorLogger: createLineLogger(show, 'info'),
          cleanup,
          ...(values['kafka-version'] ? { kafkaVersion: values['kafka-version'] } : {}),
        });
        targets = [{ cluster: demo.cluster, onTick: (r) => demo.actors.onTick(r.tick) }];
        policy = demoPolicy(windowSize);
        title = `lagwatch demo on ${demo.bootstrap}`;
      } else if (values.config !== undefined) {
        const config = loadAppConfig(values.config);
        targets = config.clusters.map((c) => ({ cluster: c.connection }));
        policy = config.policy;
        intervalMs = Math.round((intervalSeconds ?? config.snapshotIntervalMs / 1000) * 1000);
        title = `lagwatch watching ${targets.map((t) => t.cluster.name).join(', ')}`;
      } else {
        const cluster = parseClusterConfig({ name: values.cluster ?? 'local', brokers }, '--cluster/--brokers');
        targets = [{ cluster }];
        intervalMs = Math.round((intervalSeconds ?? 60) * 1000);
        policy = parsePolicyConfig(values.policy === undefined ? {} : await readJsonInput(values.policy), values.policy ?? 'policy', { snapshotIntervalMs: intervalMs });
        title = `lagwatch watching ${cluster.name} (${cluster.brokers.join(',')})`;
      }
      if (signal.aborted) return 130;
      view.progress(`${title}: first snapshot now, then every ${intervalMs / 1000}s; store in ${store.dataDir}`);
      await runLocal({
        targets,
        store,
        policy,
        intervalMs,
        notifier: localNotifier(show, webhook),
        logger,
        signal,
        cleanup,
        onUpdate: (result, all) => {
          const at = new Date(result.scheduledAt).toLocaleTimeString();
          const collection = result.collectionError === null ? '' : ` · collection failed: ${result.collectionError}`;
          view.render(all, `${title} · tick ${result.tick} at ${at}, every ${intervalMs / 1000}s · Ctrl-C to stop${collection}`);
        },
      });
      return 0;
    } finally {
      await cleanup.run(logger);
    }
  }, () => show('stopping: consumers, collector, broker and store…'));
}
