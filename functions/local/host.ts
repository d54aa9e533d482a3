// Facts about this machine that local tools share: where downloads are cached, a free port, and
// stopping a process we started.
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Kafka jars and the moto virtualenv live here, outside the repo, so fresh clones reuse them. */
export function defaultCacheDir(): string {
  return process.env['LAGWATCH_CACHE_DIR'] || join(homedir(), '.cache', 'lagwatch');
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
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
