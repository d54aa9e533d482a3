// Kafka's jars from Maven Central (cached, never committed) and the tools run from them: the broker
// (kafka-broker.ts) and Kafka's own command-line tools (ConsumerGroupCommand for the benches and
// tests) share the download, the version and the way a java process is run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KafkaHarnessError } from '../core/errors.js';
import { defaultCacheDir } from './host.js';

export const DEFAULT_KAFKA_VERSION = '3.9.1';

export function kafkaVersionFromEnv(): string {
  return process.env['LAGWATCH_KAFKA_VERSION'] || DEFAULT_KAFKA_VERSION;
}

export function isKafka4(version: string): boolean {
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

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion in its own process group, so a Ctrl-C in the terminal reaches only
 * lagwatch, which then stops the command itself (through `signal`) in its own order.
 */
export function run(command: string, args: readonly string[], options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RunResult> {
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
