// `npm run --silent kafka:start` starts a local Kafka broker in the background and prints only its
// bootstrap address (HOST:PORT) on stdout; `npm run --silent kafka:stop` stops it. Progress goes to
// stderr. State lives in ${LAGWATCH_CACHE_DIR:-~/.cache/lagwatch}/run/kafka.json.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheDir, processAlive, stopProcess } from '../functions/local/host.js';
import { startKafkaBroker } from '../functions/local/kafka-broker.js';
import { kafkaVersionFromEnv } from '../functions/local/kafka-jars.js';

interface RunState {
  pid: number;
  dir: string;
  bootstrap: string;
  scramBootstrap?: string;
  version: string;
}

const stateFile = join(defaultCacheDir(), 'run', 'kafka.json');

async function readState(): Promise<RunState | null> {
  if (!existsSync(stateFile)) return null;
  return JSON.parse(await readFile(stateFile, 'utf8')) as RunState;
}

async function start(): Promise<number> {
  const existing = await readState();
  if (existing && processAlive(existing.pid)) {
    process.stderr.write(`Kafka ${existing.version} is already running (pid ${existing.pid})\n`);
    process.stdout.write(existing.bootstrap + '\n');
    return 0;
  }
  const broker = await startKafkaBroker({
    version: kafkaVersionFromEnv(),
    scram: process.argv.includes('--scram'),
    detached: true,
    onProgress: (m) => process.stderr.write(m + '\n'),
  });
  const state: RunState = {
    pid: broker.pid,
    dir: broker.dir,
    bootstrap: broker.bootstrap,
    ...(broker.scramBootstrap ? { scramBootstrap: broker.scramBootstrap } : {}),
    version: broker.version,
  };
  await mkdir(join(defaultCacheDir(), 'run'), { recursive: true });
  await writeFile(stateFile, JSON.stringify(state, null, 2) + '\n');
  process.stderr.write(`Kafka ${broker.version} running (pid ${broker.pid}, logs in ${broker.dir}/broker.log)\n`);
  process.stdout.write(broker.bootstrap + '\n');
  return 0;
}

async function stop(): Promise<number> {
  const state = await readState();
  if (!state) {
    process.stderr.write('no local Kafka broker is recorded as running\n');
    return 0;
  }
  await stopProcess(state.pid, { group: true });
  await rm(state.dir, { recursive: true, force: true });
  await rm(stateFile, { force: true });
  process.stderr.write(`Kafka ${state.version} at ${state.bootstrap} stopped\n`);
  return 0;
}

const command = process.argv[2];
const handlers: Record<string, () => Promise<number>> = { start, stop };
const handler = command ? handlers[command] : undefined;
if (!handler) {
  process.stderr.write('usage: tsx scripts/kafka.ts start [--scram] | stop\n');
  process.exitCode = 2;
} else {
  handler().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`kafka ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
