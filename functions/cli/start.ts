// `lagwatch start` (`npm start`): local mode. With no cluster configured it plays the live demo on
// a local broker; with --brokers or --config it watches that real cluster. Collector and evaluator
// run in-process every interval against the file store in --data-dir (default .lagwatch/).
import { readJsonInput } from '../local/json-input.js';
import { loadLocalConfig } from '../local/local-config.js';
import { parseClusterConfig } from '../config/cluster.js';
import { parsePolicyConfig } from '../config/policy.js';
import { resolvePolicy, type PolicyConfig } from '../core/policy.js';
import type { GroupVerdict } from '../core/types.js';
import { parseListenAddress, startHttpApi } from '../local/http-api.js';
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
import {
  GROUP_FILTER_OPTIONS,
  UsageError,
  applyGroupFilter,
  exitOnUsageError,
  parseBrokerList,
  parseCommandArgs,
  positiveNumber,
  webhookUrl,
  parseGroupFilter,
  type GroupFilter,
} from '../local/cli-args.js';
import { LiveView } from './view.js';

const USAGE = `usage: lagwatch start [--brokers HOST:PORT[,...] | --config FILE] [options]

With neither --brokers nor --config: starts a local Kafka broker and plays the live demo
(five consumer groups: healthy, slow, stopped, stuck, rewound).

  --brokers LIST       watch this cluster (add --demo to play the demo on it instead)
  --config FILE        watch every cluster of a lagwatch.config.json (clusters and policy are
                       read; teams, Slack and network are deploy-only and may be left out)
  --cluster NAME       cluster name for --brokers (default local)
  --policy FILE        policy JSON for --brokers (defaults, overrides); --config brings its own
  --group-pattern P    watch only groups matching P (glob such as 'pay-*' or /regex/; repeatable)
  --exclude-pattern P  skip groups matching P (repeatable)
  --interval SECONDS   snapshot interval (default 5 for the demo, 60 or the config's otherwise)
  --window N           demo window size in snapshots (default 10)
  --data-dir DIR       local store (default ${DEFAULT_DATA_DIR}/ in the current folder)
  --reset              delete the local store first
  --webhook URL        also post alerts to this Slack-compatible incoming webhook
  --http [HOST:]PORT   serve Burrow's v3 API (/v3/kafka/...) and Prometheus /metrics here
                       (host 127.0.0.1 unless given; off by default)
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
    http: { type: 'string' },
    demo: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    'kafka-version': { type: 'string' },
    ...GROUP_FILTER_OPTIONS,
    help: { type: 'boolean', short: 'h', default: false },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  return exitOnUsageError('start', async () => {
    if (values.brokers !== undefined && values.config !== undefined) throw new UsageError('--brokers and --config are exclusive: give one');
    if (values.demo && values.config !== undefined) throw new UsageError('--demo plays on a local broker or on --brokers, not on --config clusters');
    if (values.policy !== undefined && values.config !== undefined) throw new UsageError('--policy is for --brokers; a --config file carries its own policy');
    if (values.cluster !== undefined && values.brokers === undefined) throw new UsageError('--cluster names the --brokers cluster; give --brokers too');
    const demo = values.demo || (values.brokers === undefined && values.config === undefined);
    if (demo && (values['group-pattern'] !== undefined || values['exclude-pattern'] !== undefined)) {
      throw new UsageError('--group-pattern/--exclude-pattern filter a cluster you watch (--brokers or --config), not the demo');
    }
    return watch({
      values,
      filter: parseGroupFilter(values),
      brokers: values.brokers === undefined ? null : parseBrokerList(values.brokers, '--brokers'),
      intervalSeconds: positiveNumber(values.interval, '--interval', { min: 0.5, max: 86_400 }),
      windowSize: positiveNumber(values.window, '--window', { integer: true, min: 2, max: 100 }) ?? DEMO_WINDOW,
      webhook: webhookUrl(values.webhook),
      http: values.http === undefined ? null : parseListenAddress(values.http),
    });
  });
}

interface WatchInput {
  readonly filter: GroupFilter;
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
  readonly http: { host: string; port: number } | null;
}

async function watch({ values, filter, brokers, intervalSeconds, windowSize, webhook, http }: WatchInput): Promise<number> {
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
          signal,
          ...(values['kafka-version'] ? { kafkaVersion: values['kafka-version'] } : {}),
        });
        targets = [{ cluster: demo.cluster, onTick: (r) => demo.actors.onTick(r.tick) }];
        policy = demoPolicy(windowSize);
        title = `lagwatch demo on ${demo.bootstrap}`;
      } else if (values.config !== undefined) {
        const config = await loadLocalConfig(values.config);
        targets = config.clusters.map((c) => ({ cluster: applyGroupFilter(c, filter) }));
        policy = config.policy;
        intervalMs = Math.round((intervalSeconds ?? (config.snapshotIntervalMs ?? 60_000) / 1000) * 1000);
        title = `lagwatch watching ${targets.map((t) => t.cluster.name).join(', ')}`;
      } else {
        const cluster = applyGroupFilter(parseClusterConfig({ name: values.cluster ?? 'local', brokers }, '--cluster/--brokers'), filter);
        targets = [{ cluster }];
        intervalMs = Math.round((intervalSeconds ?? 60) * 1000);
        policy = parsePolicyConfig(values.policy === undefined ? {} : await readJsonInput(values.policy), values.policy ?? 'policy', { snapshotIntervalMs: intervalMs });
        title = `lagwatch watching ${cluster.name} (${cluster.brokers.join(',')})`;
      }
      if (signal.aborted) return 0;
      const latest = new Map<string, { verdicts: readonly GroupVerdict[]; error: string | null }>();
      if (http !== null) {
        const api = await startHttpApi(
          {
            clusters: () => targets.map((t) => t.cluster.name),
            verdicts: (cluster) => latest.get(cluster)?.verdicts ?? null,
            collectionError: (cluster) => latest.get(cluster)?.error ?? null,
            window: async (cluster, group) => (await store.readHistory(cluster, group)).slice(-resolvePolicy(policy, group).windowSize),
          },
          http,
        );
        cleanup.add('the HTTP API', () => api.close());
        show(`HTTP API on ${api.url}: /v3/kafka (Burrow's v3 endpoints) and /metrics (Prometheus)`);
      }
      view.progress(`${title}: first snapshot now, then every ${intervalMs / 1000}s on the interval boundary; store in ${store.dataDir}`);
      await runLocal({
        targets,
        store,
        policy,
        intervalMs,
        notifier: localNotifier(show, webhook),
        logger,
        signal,
        cleanup,
        // A cluster we watch (not the demo's own) that cannot be read at startup ends the command.
        failFast: !demoMode,
        onUpdate: (result, all, cluster) => {
          latest.set(cluster, { verdicts: all.filter((v) => v.cluster === cluster), error: result.collectionError });
          const at = new Date(result.scheduledAt).toLocaleTimeString();
          const stale = result.collectionError === null ? null : `collection failed at ${at}: ${result.collectionError}; showing the last verdicts`;
          view.render(all, `${title} · tick ${result.tick} at ${at}, every ${intervalMs / 1000}s · Ctrl-C to stop`, stale);
        },
      });
      return 0;
    } catch (error) {
      // Ctrl-C while starting (jar download, broker start, topics): a stop, not a failure to report.
      if (signal.aborted) return 0;
      throw error;
    } finally {
      await cleanup.run(logger);
    }
  }, () => show('stopping: consumers, collector, broker and store…'));
}
