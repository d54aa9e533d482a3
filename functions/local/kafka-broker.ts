// A real single-node Kafka (KRaft) on 127.0.0.1 for tests, benchmarks and the local demo: no Docker.
// The broker's jars come from Maven Central (kafka-jars.ts), are
// formatted into a temp dir and run with `java`. One PLAINTEXT listener, optionally a SASL/SCRAM one.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaHarnessError } from '../core/errors.js';
import { defaultCacheDir, freePort, stopProcess } from './host.js';
import { ensureKafkaJars, isKafka4, kafkaVersionFromEnv, run } from './kafka-jars.js';

/** The user the SCRAM listener knows (both SCRAM-SHA-256 and SCRAM-SHA-512). Local only. */
export const LOCAL_SCRAM_USER = { username: 'lagwatch', password: 'lagwatch-local-secret' } as const;

export interface KafkaBroker {
  /** HOST:PORT of the PLAINTEXT listener. */
  readonly bootstrap: string;
  /** HOST:PORT of the SASL_PLAINTEXT (SCRAM-SHA-256/512) listener, when started with `scram`. */
  readonly scramBootstrap?: string;
  readonly version: string;
  /** The folder holding the broker and kafka-tools jars (for `runKafkaTool`). */
  readonly libsDir: string;
  /** The broker's temp dir (data, server.properties, broker.log); removed by stop(). */
  readonly dir: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface StartKafkaBrokerOptions {
  version?: string;
  cacheDir?: string;
  onProgress?: (message: string) => void;
  /** Also open a SASL_PLAINTEXT listener with SCRAM-SHA-256/512 for LOCAL_SCRAM_USER. */
  scram?: boolean;
  /** Let the JVM outlive this process (`npm run kafka:start`). */
  detached?: boolean;
  /** Aborting stops a jar download or a broker start in progress (Ctrl-C while starting). */
  signal?: AbortSignal;
  /** Extra server.properties lines (tests: e.g. a short log.retention.check.interval.ms); written last, so they win. */
  properties?: Readonly<Record<string, string>>;
}

export { KafkaHarnessError };

function serverProperties(input: {
  version: string;
  dataDir: string;
  port: number;
  controllerPort: number;
  scramPort: number | null;
}): string {
  const { port, controllerPort, scramPort } = input;
  const listeners = [`PLAINTEXT://127.0.0.1:${port}`, `CONTROLLER://127.0.0.1:${controllerPort}`];
  const advertised = [`PLAINTEXT://127.0.0.1:${port}`];
  const protocols = ['CONTROLLER:PLAINTEXT', 'PLAINTEXT:PLAINTEXT'];
  if (scramPort !== null) {
    listeners.push(`SASL_PLAINTEXT://127.0.0.1:${scramPort}`);
    advertised.push(`SASL_PLAINTEXT://127.0.0.1:${scramPort}`);
    protocols.push('SASL_PLAINTEXT:SASL_PLAINTEXT');
  }
  const lines = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=${listeners.join(',')}`,
    `advertised.listeners=${advertised.join(',')}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `listener.security.protocol.map=${protocols.join(',')}`,
    `log.dirs=${input.dataDir}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'delete.topic.enable=true',
  ];
  if (isKafka4(input.version)) {
    lines.push('share.coordinator.state.topic.replication.factor=1', 'share.coordinator.state.topic.min.isr=1');
  }
  if (scramPort !== null) {
    lines.push(
      'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    );
  }
  return lines.join('\n') + '\n';
}

function brokerLogConfig(version: string, logFile: string): string {
  return isKafka4(version)
    ? 'rootLogger.level = info\nrootLogger.appenderRef.file.ref = FILE\nappender.file.type = File\n' +
        `appender.file.name = FILE\nappender.file.fileName = ${logFile}\nappender.file.layout.type = PatternLayout\n` +
        'appender.file.layout.pattern = [%d] %p %m (%c)%n\n'
    : 'log4j.rootLogger=INFO, file\nlog4j.appender.file=org.apache.log4j.FileAppender\n' +
        `log4j.appender.file.File=${logFile}\nlog4j.appender.file.layout=org.apache.log4j.PatternLayout\n` +
        'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n\n';
}

/**
 * Kafka's Uuid: 16 random bytes, base64url without padding (what `StorageTool random-uuid` prints).
 * Never one starting with '-': StorageTool would read `-t -abc…` as a flag (Kafka's own random-uuid
 * avoids those too).
 */
export function kafkaUuid(random: () => Buffer = () => randomBytes(16)): string {
  for (;;) {
    const id = random().toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function waitUntilReady(
  bootstrap: string,
  child: ChildProcess,
  logFile: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'lagwatch-harness',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw new KafkaHarnessError('the Kafka broker start was interrupted');
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = existsSync(logFile) ? (await readFile(logFile, 'utf8')).slice(-3000) : '';
      throw new KafkaHarnessError(`the Kafka broker exited during startup (code ${child.exitCode}); log tail:\n${tail}`);
    }
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      // The controller must be known before topics and groups can be used.
      if (cluster.brokers.length > 0 && cluster.controller !== null) return;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new KafkaHarnessError(
    `the Kafka broker at ${bootstrap} did not answer within ${timeoutMs} ms (last error: ${String(lastError)}); see ${logFile}`,
  );
}

export async function startKafkaBroker(options: StartKafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const version = options.version ?? kafkaVersionFromEnv();
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const progress = options.onProgress ?? (() => {});
  const libsDir = await ensureKafkaJars(version, cacheDir, progress, options.signal);

  const dir = await mkdtemp(join(tmpdir(), `lagwatch-kafka-${version}-`));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'broker.log');
  const propsFile = join(dir, 'server.properties');
  const logConfigFile = join(dir, isKafka4(version) ? 'log4j2.properties' : 'log4j.properties');
  const logFlag = isKafka4(version) ? `-Dlog4j2.configurationFile=${logConfigFile}` : `-Dlog4j.configuration=file:${logConfigFile}`;
  await writeFile(logConfigFile, brokerLogConfig(version, logFile));

  const [port, controllerPort, scramPort] = await Promise.all([
    freePort(),
    freePort(),
    options.scram ? freePort() : Promise.resolve(null),
  ]);
  const extra = Object.entries(options.properties ?? {}).map(([k, v]) => `${k}=${v}\n`).join('');
  await writeFile(propsFile, serverProperties({ version, dataDir, port, controllerPort, scramPort }) + extra);

  const classpath = join(libsDir, '*');
  progress(`formatting Kafka ${version} storage in ${dataDir}`);
  const scramArgs = options.scram
    ? ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => [
        '--add-scram',
        `${m}=[name=${LOCAL_SCRAM_USER.username},password=${LOCAL_SCRAM_USER.password}]`,
      ])
    : [];
  const format = await run(
    'java',
    ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', logFlag, '-cp', classpath, 'kafka.tools.StorageTool', 'format',
      '-t', kafkaUuid(), '-c', propsFile, ...scramArgs],
    { timeoutMs: 120_000, ...(options.signal ? { signal: options.signal } : {}) },
  );
  if (format.code !== 0 || options.signal?.aborted) {
    await rm(dir, { recursive: true, force: true });
    if (options.signal?.aborted) throw new KafkaHarnessError('the Kafka broker start was interrupted');
    throw new KafkaHarnessError(`kafka-storage format failed (exit ${format.code}):\n${format.stdout}${format.stderr}`);
  }

  progress(`starting Kafka ${version} on 127.0.0.1:${port}`);
  const out = openSync(join(dir, 'stdout.log'), 'a');
  const child = spawn(
    'java',
    ['-Xmx512m', '-Xms256m', '-XX:+UseG1GC', '-Djava.awt.headless=true', logFlag, '-cp', classpath, 'kafka.Kafka', propsFile],
    // Its own process group always: a terminal's Ctrl-C goes to lagwatch only, which stops its
    // consumers first and the broker last (stop()), instead of the broker dying under them.
    { stdio: ['ignore', out, out], detached: true },
  );
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new KafkaHarnessError('could not spawn java for the Kafka broker');

  // Never leave a broker or its folder behind when this process exits without calling stop() (a
  // crashed test run, a forced second Ctrl-C).
  const killOnExit = (): void => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (!options.detached) process.on('exit', killOnExit);
  else child.unref();

  const bootstrap = `127.0.0.1:${port}`;
  try {
    await waitUntilReady(bootstrap, child, logFile, 90_000, options.signal);
  } catch (error) {
    await stopProcess(pid, { graceMs: 0 });
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  let stopped = false;
  return {
    bootstrap,
    ...(scramPort !== null ? { scramBootstrap: `127.0.0.1:${scramPort}` } : {}),
    version,
    libsDir,
    dir,
    pid,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopProcess(pid);
      process.off('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
