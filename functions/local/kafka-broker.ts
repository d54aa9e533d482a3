// A real single-node Kafka (KRaft) on 127.0.0.1 for tests, benchmarks and the local demo: no Docker.
// The broker and Kafka's own tools come from Maven Central as jars (cached, never committed), are
// formatted into a temp dir and run with `java`. One PLAINTEXT listener, optionally a SASL/SCRAM one.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaHarnessError } from '../core/errors.js';
import { defaultCacheDir, freePort } from './host.js';

export const DEFAULT_KAFKA_VERSION = '3.9.1';

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


export function kafkaVersionFromEnv(): string {
  return process.env['LAGWATCH_KAFKA_VERSION'] || DEFAULT_KAFKA_VERSION;
}

function isKafka4(version: string): boolean {
  return Number(version.split('.')[0]) >= 4;
}

function requireCommand(command: string, hint: string): void {
  const probe = spawnSync(command, ['-version'], { stdio: 'ignore' });
  if (probe.error) {
    throw new KafkaHarnessError(`'${command}' was not found on PATH: ${hint}`);
  }
}

function pom(version: string): string {
  const dep = (group: string, artifact: string, v: string): string =>
    `<dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${v}</version></dependency>`;
  // The Kafka POMs carry no usable logging binding on 4.x (log4j2 core, slf4j 1.7 API, no bridge);
  // 3.9 already brings slf4j-reload4j. log4j-slf4j-impl is the bridge for the slf4j 1.7 API.
  const logging = isKafka4(version) ? dep('org.apache.logging.log4j', 'log4j-slf4j-impl', '2.24.3') : '';
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>lagwatch.local</groupId><artifactId>kafka-jars</artifactId><version>${version}</version>
  <dependencies>
    ${dep('org.apache.kafka', 'kafka_2.13', version)}
    ${dep('org.apache.kafka', 'kafka-tools', version)}
    ${logging}
  </dependencies>
</project>
`;
}

/** Makes sure `${cacheDir}/kafka-${version}/libs` holds the broker, kafka-tools and a logging
 * binding; downloads them with Maven when missing. A marker file is written last, so an
 * interrupted download is redone. Returns the libs folder. */
export async function ensureKafkaJars(
  version: string,
  cacheDir: string = defaultCacheDir(),
  onProgress: (message: string) => void = () => {},
  signal?: AbortSignal,
): Promise<string> {
  const home = join(cacheDir, `kafka-${version}`);
  const libs = join(home, 'libs');
  const marker = join(home, '.complete');
  if (existsSync(marker)) return libs;

  requireCommand('java', 'install a Java 17+ runtime (e.g. apt-get install openjdk-17-jre-headless)');
  requireCommand('mvn', 'install Maven (e.g. apt-get install maven) to fetch the Kafka jars');
  onProgress(`fetching Kafka ${version} jars from Maven Central into ${libs}`);
  await rm(home, { recursive: true, force: true });
  await mkdir(home, { recursive: true });
  await writeFile(join(home, 'pom.xml'), pom(version));
  const result = await run('mvn', [
    '-q',
    '-B',
    '-f',
    join(home, 'pom.xml'),
    'dependency:copy-dependencies',
    `-DoutputDirectory=${libs}`,
    '-DincludeScope=runtime',
  ], { ...(signal ? { signal } : {}) });
  if (signal?.aborted) throw new KafkaHarnessError(`the download of Kafka ${version} was interrupted; the next start fetches it again`);
  if (result.code !== 0) {
    throw new KafkaHarnessError(
      `Maven could not fetch Kafka ${version} (exit ${result.code}); check that Maven Central is reachable ` +
        `and that ${version} exists.\n${(result.stdout + result.stderr).slice(-2000)}`,
    );
  }
  const jars = await readdir(libs);
  if (!jars.includes(`kafka_2.13-${version}.jar`) || !jars.includes(`kafka-tools-${version}.jar`)) {
    throw new KafkaHarnessError(`Maven finished but ${libs} lacks kafka_2.13-${version}.jar or kafka-tools-${version}.jar`);
  }
  await writeFile(marker, new Date().toISOString() + '\n');
  onProgress(`Kafka ${version}: ${jars.length} jars cached`);
  return libs;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion in its own process group, so a Ctrl-C in the terminal reaches only
 * lagwatch, which then stops the command itself (through `signal`) in its own order.
 */
function run(command: string, args: readonly string[], options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(kill, options.timeoutMs);
    // Interruptible runs (download, format at start) also die with lagwatch on a forced exit.
    const interruptible = options.signal !== undefined;
    options.signal?.addEventListener('abort', kill, { once: true });
    if (interruptible) process.on('exit', kill);
    const done = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      if (interruptible) process.off('exit', kill);
    };
    child.on('error', (error) => {
      done();
      reject(error);
    });
    child.on('close', (code, signal) => {
      done();
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** Where log4j output of a tool run goes: errors only, to stderr (the broker logs to a file instead). */
async function toolLogConfig(libsDir: string, version: string): Promise<string[]> {
  const file = join(libsDir, '..', isKafka4(version) ? 'tools-log4j2.properties' : 'tools-log4j.properties');
  if (!existsSync(file)) {
    await writeFile(
      file,
      isKafka4(version)
        ? 'rootLogger.level = error\nrootLogger.appenderRef.stderr.ref = STDERR\nappender.stderr.type = Console\n' +
            'appender.stderr.name = STDERR\nappender.stderr.target = SYSTEM_ERR\nappender.stderr.layout.type = PatternLayout\n' +
            'appender.stderr.layout.pattern = %p %m%n\n'
        : 'log4j.rootLogger=ERROR, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\n' +
            'log4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\n' +
            'log4j.appender.stderr.layout.ConversionPattern=%p %m%n\n',
    );
  }
  return isKafka4(version) ? [`-Dlog4j2.configurationFile=${file}`] : [`-Dlog4j.configuration=file:${file}`];
}

function versionOfLibs(libsDir: string): string {
  const match = /kafka-(\d+\.\d+\.\d+[^/]*)\/libs\/?$/.exec(libsDir);
  return match?.[1] ?? DEFAULT_KAFKA_VERSION;
}

/** Runs a Kafka main class (e.g. ConsumerGroupCommand) from the cached jars and collects its output. */
export async function runKafkaTool(
  libsDir: string,
  mainClass: string,
  args: readonly string[],
  options: { timeoutMs?: number; heap?: string } = {},
): Promise<RunResult> {
  const log = await toolLogConfig(libsDir, versionOfLibs(libsDir));
  return run(
    'java',
    [`-Xmx${options.heap ?? '512m'}`, '-XX:+UseSerialGC', ...log, '-cp', join(libsDir, '*'), mainClass, ...args],
    { timeoutMs: options.timeoutMs ?? 120_000 },
  );
}

/** The class behind `kafka-consumer-groups.sh` since Kafka 3.7. */
export const CONSUMER_GROUP_COMMAND = 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand';


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

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM (Kafka shuts down cleanly), then SIGKILL after `graceMs`. Waits until the process is gone. */
export async function stopProcess(pid: number, options: { group?: boolean; graceMs?: number } = {}): Promise<void> {
  const target = options.group ? -pid : pid;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(target, sig);
    } catch {
      // already gone
    }
  };
  if (!processAlive(pid)) return;
  signal('SIGTERM');
  const deadline = Date.now() + (options.graceMs ?? 8_000);
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (processAlive(pid)) {
    signal('SIGKILL');
    while (processAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  }
}

/** Fetches the jars if needed, formats a fresh KRaft node in a temp dir, starts it on free ports and
 * waits until it answers. stop() shuts it down (no Java process left) and removes the temp dir. */
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
