// Facts about this machine that local tools share: where downloads are cached, and a free port.
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
