// The local store's folder: the format marker (store.json), the single-writer lock, atomic JSON file
// I/O and a per-file mutex. The two local stores (file-snapshot-store.ts, file-alert-store.ts) keep
// their files in it; file-store.ts opens it and puts them together.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from '../../core/errors.js';

export const STORE_FORMAT = 'lagwatch-local-store';
export const STORE_VERSION = 2;
/** Versions this lagwatch reads: 1 has no §6.1 signals (log start, retention, assignments); its
 * snapshots read as "signals not collected", and new snapshots are written beside them. */
const READABLE_STORE_VERSIONS: readonly unknown[] = [1, STORE_VERSION];

export function encodeName(name: string): string {
  return encodeURIComponent(name).replace(/\./g, '%2E').replace(/\*/g, '%2A');
}

export function decodeName(file: string): string {
  return decodeURIComponent(file);
}

function resetHint(dataDir: string): string {
  return `delete ${dataDir} or run with --reset`;
}

/** Writes `data` to `path` atomically: a reader sees the old file or the new one, never a mix. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Serialises async work per key (one file = one key), so read-modify-write never interleaves. */
class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

export class StoreFolder {
  readonly mutex = new KeyedMutex();
  private locked = false;

  private constructor(
    readonly dataDir: string,
    readonly readOnly: boolean,
  ) {}

  /**
   * Opens (creating if needed) the store folder `dataDir`. A writable one takes `dataDir/lock`, so two
   * lagwatch processes never write the same files; `reset` deletes everything first.
   */
  static async open(dataDir: string, options: { readonly readOnly?: boolean; readonly reset?: boolean } = {}): Promise<StoreFolder> {
    const store = new StoreFolder(dataDir, options.readOnly ?? false);
    if (store.readOnly) {
      await store.checkFormat(false);
      return store;
    }
    if (options.reset) {
      await store.checkLockFree();
      await rm(dataDir, { recursive: true, force: true });
    }
    await mkdir(dataDir, { recursive: true });
    await store.acquireLock();
    try {
      await store.checkFormat(true);
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** Releases the lock. The files stay: the next start continues the window. */
  async close(): Promise<void> {
    if (!this.locked) return;
    this.locked = false;
    process.off('exit', this.releaseLockOnExit);
    await rm(join(this.dataDir, 'lock'), { force: true });
  }

  private async checkFormat(create: boolean): Promise<void> {
    const path = join(this.dataDir, 'store.json');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (!isNotFound(error)) throw this.ioError('read', path, error);
      if (!create) {
        throw new StoreError(`${this.dataDir} is not a lagwatch local store (no ${path}); pass the folder lagwatch start wrote (default .lagwatch/)`, {
          context: { file: path },
        });
      }
      await writeFileAtomic(path, `${JSON.stringify({ format: STORE_FORMAT, version: STORE_VERSION })}\n`);
      return;
    }
    let marker: unknown;
    try {
      marker = JSON.parse(text);
    } catch (error) {
      throw this.corrupt(path, 'not valid JSON', error);
    }
    if (!isRecord(marker) || marker.format !== STORE_FORMAT) throw this.corrupt(path, `not a ${STORE_FORMAT} marker`);
    if (!READABLE_STORE_VERSIONS.includes(marker.version)) {
      throw new StoreError(
        `${path}: store format version ${String(marker.version)} is not supported (this lagwatch reads versions ${READABLE_STORE_VERSIONS.join(' and ')}); ${resetHint(this.dataDir)}`,
        { context: { file: path } },
      );
    }
  }

  private async checkLockFree(): Promise<void> {
    const holder = await this.lockHolder();
    if (holder !== null) {
      throw new StoreError(`${this.dataDir} is in use by another lagwatch process (pid ${holder}); stop it first or use another --data-dir`, {
        context: { file: join(this.dataDir, 'lock') },
      });
    }
  }

  /** The pid in the lock file when that process is still alive, else null. */
  private async lockHolder(): Promise<number | null> {
    let text: string;
    try {
      text = await readFile(join(this.dataDir, 'lock'), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const pid = Number.parseInt(text.trim(), 10);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return null;
    try {
      process.kill(pid, 0);
      return pid;
    } catch (error) {
      // EPERM: alive but someone else's; ESRCH: gone (a crash left the lock behind).
      return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
    }
  }

  /** A forced exit (a second Ctrl-C) skips close(): drop the lock anyway, synchronously. */
  private readonly releaseLockOnExit = (): void => {
    rmSync(join(this.dataDir, 'lock'), { force: true });
  };

  private async acquireLock(): Promise<void> {
    const path = join(this.dataDir, 'lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
        this.locked = true;
        process.on('exit', this.releaseLockOnExit);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw this.ioError('create', path, error);
      }
      await this.checkLockFree();
      await rm(path, { force: true }); // stale lock from a process that is gone
    }
    throw new StoreError(`could not take ${path}; another lagwatch may be starting on ${this.dataDir}`, { context: { file: path } });
  }

  clusterDir(cluster: string): string {
    return join(this.dataDir, 'clusters', encodeName(cluster));
  }

  corrupt(path: string, reason: string, cause?: unknown): StoreError {
    return new StoreError(`local store file ${path} is corrupt (${reason}); ${resetHint(this.dataDir)}`, {
      cause,
      context: { file: path },
    });
  }

  ioError(verb: string, path: string, cause: unknown): StoreError {
    const message = cause instanceof Error ? cause.message : String(cause);
    return new StoreError(`could not ${verb} ${path}: ${message}`, { cause, context: { file: path } });
  }

  assertWritable(): void {
    if (this.readOnly) throw new StoreError(`${this.dataDir} was opened read-only`, { context: { file: this.dataDir } });
  }

  /** The file parsed, or undefined when it does not exist; a file that is not JSON is corrupt. */
  async readJson(path: string): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.ioError('read', path, error);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw this.corrupt(path, 'not valid JSON', error);
    }
  }

  async writeJson(path: string, value: unknown): Promise<void> {
    this.assertWritable();
    try {
      await mkdir(join(path, '..'), { recursive: true });
      await writeFileAtomic(path, `${JSON.stringify(value)}\n`);
    } catch (error) {
      throw this.ioError('write', path, error);
    }
  }

  /** The names in a folder; none when it does not exist. */
  async listDir(path: string): Promise<string[]> {
    try {
      return await readdir(path);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw this.ioError('list', path, error);
    }
  }
}
