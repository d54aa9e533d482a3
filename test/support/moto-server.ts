// moto's server (PyPI `moto[server]`) speaks the real AWS wire protocols for DynamoDB, SNS and
// CloudWatch. This module installs it once into a cached virtualenv and starts it on a free port on
// 127.0.0.1. Used by the `aws` vitest project's global setup and by bench/cost.bench.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { defaultCacheDir, freePort } from '../../functions/local/host.js';

/** Pinned so every machine runs the same emulator (current release when this was written). */
export const MOTO_VERSION = '5.2.5';

export interface MotoServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface MotoOptions {
  cacheDir?: string;
  onProgress?: (message: string) => void;
}


function run(command: string, args: readonly string[], onProgress: (m: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer): void => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) =>
      reject(new Error(`could not run ${command}: ${error.message}. Install Python 3 with venv and pip (apt-get install python3-venv).`)),
    );
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${tail}`));
    });
    onProgress(`${command} ${args.join(' ')}`);
  });
}

/** Serialises installs across processes (vitest and a bench started at the same time). */
async function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch {
      const info = await stat(lockDir).catch(() => null);
      // A lock older than 15 minutes was left by a killed install.
      if (info && Date.now() - info.mtimeMs > 15 * 60_000) await rm(lockDir, { recursive: true, force: true });
      await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

/**
 * Ensures `<cacheDir>/<venv>` holds the pinned PyPI package (`pipSpec`, e.g. `moto[server]==5.2.5`),
 * installed once and cached; returns the path of its `bin/<binary>`.
 */
export async function ensureVenvTool(
  tool: { venv: string; pipSpec: string; binary: string; /** file marking a finished install */ marker: string },
  options: MotoOptions = {},
): Promise<string> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const onProgress = options.onProgress ?? (() => {});
  const venv = join(cacheDir, tool.venv);
  const marker = join(venv, tool.marker);
  const binary = join(venv, 'bin', tool.binary);
  if (existsSync(marker)) return binary;
  await mkdir(cacheDir, { recursive: true });
  return withLock(join(cacheDir, `${tool.venv}.lock`), async () => {
    if (existsSync(marker)) return binary;
    onProgress(`installing ${tool.pipSpec} into ${venv} (once; cached afterwards)`);
    await rm(venv, { recursive: true, force: true });
    await run('python3', ['-m', 'venv', venv], onProgress);
    const pip = join(venv, 'bin', 'pip');
    await run(pip, ['install', '--quiet', '--disable-pip-version-check', tool.pipSpec], onProgress);
    await writeFile(marker, `${new Date().toISOString()}\n`);
    return binary;
  });
}

/** Ensures `<cacheDir>/moto-venv` holds moto[server]==MOTO_VERSION; returns the moto_server path. */
export function ensureMoto(options: MotoOptions = {}): Promise<string> {
  return ensureVenvTool(
    { venv: 'moto-venv', pipSpec: `moto[server]==${MOTO_VERSION}`, binary: 'moto_server', marker: `.lagwatch-moto-${MOTO_VERSION}` },
    options,
  );
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`moto_server did not answer on ${endpoint} within 60 s:\n${output()}`);
}

/** Installs moto if needed and starts its server on 127.0.0.1 and a free port, one request at a
 * time (moto-serial.py says why). */
export async function startMotoServer(options: MotoOptions = {}): Promise<MotoServer> {
  const binary = await ensureMoto(options);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const python = join(dirname(binary), 'python');
  const launcher = fileURLToPath(new URL('./moto-serial.py', import.meta.url));
  const child = spawn(python, [launcher, '127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
    if (!killed) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  try {
    await waitUntilAnswering(endpoint, child, () => tail);
  } catch (error) {
    await stop();
    throw error;
  }
  options.onProgress?.(`moto ${MOTO_VERSION} listening on ${endpoint}`);
  return { endpoint, port, stop };
}
