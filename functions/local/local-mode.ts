// Local mode's composition root: builds the local adapters, the demo broker and cast (or the real
// clusters), runs the pipeline loop per cluster, and tears everything down on Ctrl-C.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConsoleNotifier, fanOutNotifier } from '../adapters/local/console-notifier.js';
import { FileStore } from '../adapters/local/file-store.js';
import { MemoryMetricsSink } from '../adapters/local/memory-metrics.js';
import { createWebhookNotifier } from '../adapters/local/webhook-notifier.js';
import type { Logger, Notifier } from '../app/ports.js';
import { LagwatchError } from '../core/errors.js';
import type { PolicyConfig } from '../core/policy.js';
import type { GroupVerdict } from '../core/types.js';
import { parseClusterConfig, shardCount, type ClusterConfig } from '../config/cluster.js';
import { parsePolicyConfig } from '../config/policy.js';
import { createCollector } from '../factories.js';
import { DemoActors, demoNames, type DemoNames } from './demo-actors.js';
import { KafkaHarnessError, startKafkaBroker, type KafkaBroker } from './kafka-broker.js';
import { runLoop, type TickResult } from './pipeline.js';

export const DEFAULT_DATA_DIR = '.lagwatch';
export const DEMO_CLUSTER = 'demo';
export const DEMO_INTERVAL_MS = 5_000;
export const DEMO_WINDOW = 10;

export type LogLevel = 'info' | 'warn' | 'error';

/** A Logger writing one line per entry; entries below `minLevel` are dropped. */
export function createLineLogger(write: (line: string) => void, minLevel: LogLevel = 'info'): Logger {
  const rank: Record<LogLevel, number> = { info: 0, warn: 1, error: 2 };
  const log =
    (level: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (rank[level] < rank[minLevel]) return;
      const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}` : '';
      write(`[${level}] ${message}${extra}`);
    };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/**
 * Signals that arrive this soon after the first are the same Ctrl-C: a terminal sends SIGINT to the
 * whole foreground process group, and npm (and tsx, when it is in the chain) also forward theirs to
 * us, so one key press reaches node two or three times within a few milliseconds.
 */
export const SAME_SIGNAL_MS = 1_000;

/**
 * Runs `work` with an AbortSignal that fires on SIGINT/SIGTERM/SIGHUP. A second signal (a second
 * Ctrl-C, more than SAME_SIGNAL_MS after the first) while shutting down exits at once; the broker
 * harness kills its Java process on exit and the store drops its lock, so nothing is left behind.
 */
export async function withShutdown<T>(work: (signal: AbortSignal, stopping: () => boolean) => Promise<T>, onSignal?: (name: string) => void): Promise<T> {
  const controller = new AbortController();
  let firstAt = 0;
  const handler = (name: NodeJS.Signals): void => {
    const now = Date.now();
    if (controller.signal.aborted) {
      if (now - firstAt < SAME_SIGNAL_MS) return;
      process.stderr.write(`\nlagwatch: ${name} again, exiting now\n`);
      process.exit(130);
    }
    firstAt = now;
    onSignal?.(name);
    controller.abort();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, handler);
  try {
    return await work(controller.signal, () => controller.signal.aborted);
  } finally {
    for (const s of signals) process.off(s, handler);
  }
}

/** Resources to release in reverse order of acquisition, each at most once, errors reported not thrown. */
export class Cleanup {
  private readonly steps: { name: string; run: () => Promise<void> }[] = [];
  add(name: string, run: () => Promise<void>): void {
    this.steps.push({ name, run });
  }
  async run(logger: Logger): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.run();
      } catch (error) {
        logger.warn(`could not stop ${step.name}`, { error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
}

/** Starts the harness broker, turning a missing java/mvn into one actionable message. */
export async function startDemoBroker(onProgress: (message: string) => void, kafkaVersion?: string, signal?: AbortSignal): Promise<KafkaBroker> {
  // With the jars cached the harness goes straight to spawning java: check for it first.
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).error) {
    throw new LagwatchError(
      "the demo runs a local Kafka broker, which needs Java 17+, and 'java' is not on PATH: install a Java runtime " +
        '(e.g. apt-get install openjdk-17-jre-headless; Maven too for the first download: apt-get install maven), ' +
        'or point lagwatch at a running Kafka with --brokers HOST:PORT.',
    );
  }
  try {
    return await startKafkaBroker({ onProgress, ...(kafkaVersion ? { version: kafkaVersion } : {}), ...(signal ? { signal } : {}) });
  } catch (error) {
    if (error instanceof KafkaHarnessError && !signal?.aborted) {
      throw new LagwatchError(
        `the demo needs a local Kafka broker and could not start one: ${error.message}. ` +
          'Or point lagwatch at a running Kafka with --brokers HOST:PORT (no Java or Maven needed then).',
        { cause: error },
      );
    }
    throw error;
  }
}

export function demoPolicy(windowSize: number): PolicyConfig {
  // Alert from WARNING so the demo's slow group shows the alert lifecycle too.
  return parsePolicyConfig({ defaults: { windowSize, alertSeverity: 'WARNING', team: 'demo' } }, 'demo policy');
}

export function newRunId(): string {
  return randomBytes(3).toString('hex');
}

export interface DemoCluster {
  readonly cluster: ClusterConfig;
  readonly names: DemoNames;
  readonly actors: DemoActors;
  readonly bootstrap: string;
}

/** Starts (or reuses, with `brokers`) a broker and the five demo groups. Registers its cleanup. */
export async function setUpDemo(input: {
  readonly brokers: readonly string[] | null;
  readonly intervalMs: number;
  readonly progress: (message: string) => void;
  readonly actorLogger: Logger;
  readonly cleanup: Cleanup;
  readonly kafkaVersion?: string;
  readonly signal?: AbortSignal;
}): Promise<DemoCluster> {
  let brokers = input.brokers;
  if (brokers === null) {
    input.progress('starting a local Kafka broker (the first run downloads the jars from Maven Central)');
    const broker = await startDemoBroker(input.progress, input.kafkaVersion, input.signal);
    input.cleanup.add('the Kafka broker', () => broker.stop());
    brokers = [broker.bootstrap];
  }
  const names = demoNames('demo', newRunId());
  const actors = new DemoActors({ brokers, names, intervalMs: input.intervalMs, logger: input.actorLogger });
  input.cleanup.add('the demo producers and consumers', () => actors.close());
  input.progress(`creating demo topics and consumer groups on ${brokers.join(',')}`);
  await actors.start();
  const cluster = parseClusterConfig(
    { name: DEMO_CLUSTER, brokers, clientId: 'lagwatch-local', groups: { allow: [`demo-*-${names.runId}`] } },
    'demo cluster',
  );
  return { cluster, names, actors, bootstrap: brokers.join(',') };
}

export interface WatchTarget {
  readonly cluster: ClusterConfig;
  /** Called after each tick of this cluster (the demo advances its scenarios here). */
  readonly onTick?: (result: TickResult) => Promise<void>;
}

export interface RunLocalInput {
  readonly targets: readonly WatchTarget[];
  readonly store: FileStore;
  readonly policy: PolicyConfig;
  readonly intervalMs: number;
  readonly notifier: Notifier;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly until?: number;
  readonly cleanup: Cleanup;
  readonly dashboardUrl?: string | null;
  /** A cluster unreachable at the first tick ends the run with its CollectorError. */
  readonly failFast?: boolean;
  /** Called after every tick of `cluster` with the newest verdicts of every cluster. */
  readonly onUpdate: (result: TickResult, all: readonly GroupVerdict[], cluster: string) => void;
}

/** Runs the collect + evaluate loop for every target until aborted (or `until`). */
export async function runLocal(input: RunLocalInput): Promise<Map<string, GroupVerdict[]>> {
  const latest = new Map<string, GroupVerdict[]>();
  const metrics = new MemoryMetricsSink();
  await Promise.all(
    input.targets.map(async (target) => {
      if (shardCount(target.cluster) > 1) {
        // One process, no Lambda time or memory limit, one local store without shard keys: the whole
        // cluster is collected and judged in one run per tick (docs/aws.md § "Sharding a large cluster").
        input.logger.info(`cluster ${target.cluster.name} has shards: ${shardCount(target.cluster)}; local mode reads all its groups in one run each tick (shards split only the AWS collector schedules)`, {
          cluster: target.cluster.name,
        });
      }
      const collector = createCollector(target.cluster);
      input.cleanup.add(`the collector for ${target.cluster.name}`, () => collector.close());
      await runLoop(
        {
          cluster: target.cluster.name,
          collector,
          store: input.store,
          notifier: input.notifier,
          metrics,
          logger: input.logger,
          clock: Date.now,
          policy: input.policy,
          intervalMs: input.intervalMs,
          dashboardUrl: input.dashboardUrl ?? null,
        },
        {
          signal: input.signal,
          ...(input.until === undefined ? {} : { until: input.until }),
          failFast: input.failFast ?? false,
          onTick: async (result) => {
            // A failed collection judges nothing new: keep the last verdicts (the view marks them stale).
            if (result.collectionError === null || !latest.has(target.cluster.name)) latest.set(target.cluster.name, result.evaluation.verdicts);
            input.onUpdate(result, [...latest.values()].flat(), target.cluster.name);
            await target.onTick?.(result);
          },
          onSkip: (n) => input.logger.warn(`the last tick overran; skipped ${n} tick(s)`, { cluster: target.cluster.name }),
        },
      );
    }),
  );
  return latest;
}

/** Console notifier (through `print`) plus the webhook when given. */
export function localNotifier(print: (text: string) => void, webhookUrl: string | null): Notifier {
  const notifiers: Notifier[] = [createConsoleNotifier({ write: print })];
  if (webhookUrl !== null) notifiers.push(createWebhookNotifier(webhookUrl));
  return fanOutNotifier(notifiers);
}

/** Opens the store at `dataDir`, or in a fresh temp folder (removed at cleanup) when null. */
export async function openLocalStore(dataDir: string | null, reset: boolean, cleanup: Cleanup): Promise<FileStore> {
  if (dataDir === null) {
    const temp = await mkdtemp(join(tmpdir(), 'lagwatch-demo-'));
    cleanup.add('the temporary store', () => rm(temp, { recursive: true, force: true }));
    const store = await FileStore.open(temp);
    cleanup.add('the store', () => store.close());
    return store;
  }
  const store = await FileStore.open(dataDir, { reset });
  cleanup.add('the store', () => store.close());
  await store.verify();
  return store;
}
