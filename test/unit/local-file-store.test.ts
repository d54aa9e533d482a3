// The local file store: round trips, window reads, idempotent runs, optimistic alert writes, atomic
// files, the single-writer lock and clear errors on a corrupt store.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../functions/adapters/local/file-store.js';
import { decodeName, encodeName } from '../../functions/adapters/local/store-folder.js';
import type { AlertRecord } from '../../functions/app/ports.js';
import type { AlertState } from '../../functions/core/alert.js';
import { StoreError } from '../../functions/core/errors.js';
import type { ClusterSnapshot, GroupSnapshot } from '../../functions/core/types.js';

const CLUSTER = 'local';

function groupSnapshot(group: string, timestamp: number, committed: bigint | null, logEnd: bigint): GroupSnapshot {
  return {
    cluster: CLUSTER,
    group,
    timestamp,
    state: 'Stable',
    members: 1,
    partitions: [{ topic: 'orders', partition: 0, committedOffset: committed, logEndOffset: logEnd }],
  };
}

function run(timestamp: number, groups: GroupSnapshot[], failed: string[] = []): ClusterSnapshot {
  return {
    cluster: CLUSTER,
    timestamp,
    groups,
    failures: failed.map((group) => ({ group, error: 'boom' })),
    listedGroups: [...groups.map((g) => g.group), ...failed],
  };
}

function alert(version: number, status: 'WARNING' | 'ERROR' = 'ERROR'): AlertState {
  return { cluster: CLUSTER, group: 'payments', status, incidentId: 'i-1', team: 'core', since: 1000, lastNotified: 2000, version };
}

/** The record holding alert(version) as its open state (revision = version). */
function openRecord(version: number, status: 'WARNING' | 'ERROR' = 'ERROR', runTimestamp = version): AlertRecord {
  return { cluster: CLUSTER, group: 'payments', state: alert(version, status), revision: version, runTimestamp, pending: null };
}

let dir: string;
let stores: FileStore[];
async function openStore(options: Parameters<typeof FileStore.open>[1] = {}): Promise<FileStore> {
  const store = await FileStore.open(dir, options);
  stores.push(store);
  return store;
}

beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'lagwatch-store-')), '.lagwatch');
  stores = [];
});
afterEach(async () => {
  for (const s of stores) await s.close();
  await rm(join(dir, '..'), { recursive: true, force: true });
});

describe('FileStore snapshots', () => {
  it('round-trips snapshots with offsets beyond 2^53 and keeps them across a reopen', async () => {
    const big = 2n ** 60n + 7n;
    const store = await openStore();
    await store.putSnapshot(run(1000, [groupSnapshot('payments', 1000, big, big + 5n)]));
    await store.close();
    const again = await openStore();
    const window = await again.readWindows(CLUSTER, { limit: 10, now: 5000, notBefore: 0 }).then((w) => w.get('payments') ?? []);
    expect(window).toEqual([groupSnapshot('payments', 1000, big, big + 5n)]);
  });

  it('reads the newest `limit` snapshots at or before now and not before notBefore, oldest first', async () => {
    const store = await openStore();
    for (let t = 1; t <= 6; t++) await store.putSnapshot(run(t * 1000, [groupSnapshot('g', t * 1000, BigInt(t), 10n)]));
    const window = await store.readWindows(CLUSTER, { limit: 3, now: 5000, notBefore: 2500 }).then((w) => w.get('g') ?? []);
    expect(window.map((s) => s.timestamp)).toEqual([3000, 4000, 5000]);
    const old = await store.readWindows(CLUSTER, { limit: 10, now: 5000, notBefore: 4500 }).then((w) => w.get('g') ?? []);
    expect(old.map((s) => s.timestamp)).toEqual([5000]);
  });

  it('overwrites a retried run instead of adding a second snapshot', async () => {
    const store = await openStore();
    await store.putSnapshot(run(1000, [groupSnapshot('g', 1000, 1n, 10n)]));
    await store.putSnapshot(run(1000, [groupSnapshot('g', 1000, 4n, 10n)]));
    const history = await store.readHistory(CLUSTER, 'g');
    expect(history.map((s) => s.partitions[0]?.committedOffset)).toEqual([4n]);
    expect((await store.readRuns(CLUSTER)).length).toBe(1);
  });

  it('keeps at most maxSnapshotsPerGroup snapshots, dropping the oldest', async () => {
    const store = await openStore({ maxSnapshotsPerGroup: 3 });
    for (let t = 1; t <= 5; t++) await store.putSnapshot(run(t, [groupSnapshot('g', t, 1n, 1n)]));
    expect((await store.readHistory(CLUSTER, 'g')).map((s) => s.timestamp)).toEqual([3, 4, 5]);
  });

  it('records the latest run with listed and failed groups', async () => {
    const store = await openStore();
    expect(await store.latestRun(CLUSTER)).toBeNull();
    await store.putSnapshot(run(1000, [groupSnapshot('a', 1000, 1n, 1n)]));
    await store.putSnapshot(run(2000, [groupSnapshot('a', 2000, 1n, 1n)], ['b']));
    expect(await store.latestRun(CLUSTER)).toEqual({ cluster: CLUSTER, timestamp: 2000, listedGroups: ['a', 'b'], failedGroups: ['b'] });
  });

  it('stores any group name as one file and lists it back', async () => {
    const names = ['a/b', '..', 'spaces and ünïcode', 'x*y?'];
    const store = await openStore();
    await store.putSnapshot(run(1000, names.map((n) => groupSnapshot(n, 1000, 1n, 1n))));
    expect(await store.listGroups(CLUSTER)).toEqual([...names].sort());
    for (const n of names) expect(decodeName(encodeName(n))).toBe(n);
    expect(await store.listClusters()).toEqual([CLUSTER]);
  });

  it('leaves no temp files behind after writes', async () => {
    const store = await openStore();
    for (let t = 1; t <= 3; t++) await store.putSnapshot(run(t, [groupSnapshot('g', t, 1n, 1n)]));
    const files = await readdir(join(dir, 'clusters', CLUSTER, 'snapshots'));
    expect(files).toEqual(['g.json']);
  });
});

describe('FileStore alert states', () => {
  const record = openRecord;

  it('writes only when the expected revision matches', async () => {
    const store = await openStore();
    expect(await store.write(record(1), null)).toBe(true);
    expect(await store.write(record(1), null)).toBe(false); // someone else created it first
    expect(await store.write(record(2), 5)).toBe(false);
    expect(await store.write(record(2, 'WARNING'), 1)).toBe(true);
    expect(await store.list(CLUSTER)).toEqual([record(2, 'WARNING')]);
  });

  it('lets exactly one of two concurrent writers with the same expected revision win', async () => {
    const store = await openStore();
    await store.write(record(1), null);
    const results = await Promise.all([store.write(record(2), 1), store.write(record(2, 'WARNING'), 1)]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('refuses a write decided from an older run than the stored one', async () => {
    const store = await openStore();
    await store.write(record(1, 'ERROR', 100), null);
    expect(await store.write(record(2, 'WARNING', 99), 1)).toBe(false);
  });

  it('keeps a pending message of a closed incident, and drops the record once it is sent', async () => {
    const store = await openStore();
    await store.write(record(1), null);
    const pending: AlertRecord['pending'] = {
      kind: 'resolve', cluster: CLUSTER, group: 'payments', team: 'payments', severity: 'OK', incidentId: `${CLUSTER}/payments/1`, at: 5,
      subject: 'resolved', text: 'resolved', worstPartitions: [], dashboardUrl: null,
    };
    const closed: AlertRecord = { ...record(2), state: null, pending };
    expect(await store.write(closed, 1)).toBe(true);
    expect(await store.list(CLUSTER)).toEqual([closed]);
    expect(await store.write({ ...closed, revision: 3, pending: null }, 2)).toBe(true);
    expect(await store.list(CLUSTER)).toEqual([]);
  });

  it('reads an alert file written before the outbox (a bare AlertState) as an open record', async () => {
    const store = await openStore();
    await mkdir(join(dir, 'clusters', CLUSTER, 'alerts'), { recursive: true });
    await writeFile(join(dir, 'clusters', CLUSTER, 'alerts', 'payments.json'), JSON.stringify(alert(3)));
    expect(await store.list(CLUSTER)).toEqual([{ ...record(3), runTimestamp: 0 }]);
  });
});

describe('FileStore errors', () => {
  it('names the corrupt snapshot file and how to reset', async () => {
    const store = await openStore();
    await store.putSnapshot(run(1000, [groupSnapshot('g', 1000, 1n, 1n)]));
    await store.close();
    const file = join(dir, 'clusters', CLUSTER, 'snapshots', 'g.json');
    await writeFile(file, '{"snapshots":[{"cluster":"local","group":"g","timestamp":1000,"partitions":[{"topic":"t","partition":-1}]}]}');
    const again = await openStore();
    const error = await again.readWindows(CLUSTER, { limit: 5, now: 2000, notBefore: 0 }).then((w) => w.get('g') ?? []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('partition');
    expect((error as Error).message).toContain('--reset');
  });

  it('names a truncated alert file', async () => {
    const store = await openStore();
    await store.write(openRecord(1), null);
    const file = join(dir, 'clusters', CLUSTER, 'alerts', 'payments.json');
    await writeFile(file, '{"cluster":"lo');
    await expect(store.list(CLUSTER)).rejects.toThrow(file);
  });

  it('refuses a second writer while the first is alive, and takes over a stale lock', async () => {
    await openStore();
    // Pretend another live process (our parent) holds the lock.
    await writeFile(join(dir, 'lock'), `${process.ppid}\n`);
    await expect(FileStore.open(dir)).rejects.toThrow(/in use by another lagwatch process/);
    // A pid that cannot exist: a lock left by a crash.
    await writeFile(join(dir, 'lock'), '999999999\n');
    const store = await openStore();
    expect((await readFile(join(dir, 'lock'), 'utf8')).trim()).toBe(String(process.pid));
    await store.close();
  });

  it('--reset empties the store', async () => {
    const store = await openStore();
    await store.putSnapshot(run(1000, [groupSnapshot('g', 1000, 1n, 1n)]));
    await store.close();
    const fresh = await openStore({ reset: true });
    expect(await fresh.listGroups(CLUSTER)).toEqual([]);
  });

  it('read-only opening refuses a folder that is not a store and refuses writes', async () => {
    await expect(FileStore.open(join(dir, 'nope'), { readOnly: true })).rejects.toThrow(/not a lagwatch local store/);
    await (await openStore()).close();
    const reader = await FileStore.open(dir, { readOnly: true });
    await expect(reader.write(openRecord(1), null)).rejects.toThrow(/read-only/);
  });

  it('rejects a marker of another format version', async () => {
    await (await openStore()).close();
    await writeFile(join(dir, 'store.json'), '{"format":"lagwatch-local-store","version":99}');
    await expect(FileStore.open(dir)).rejects.toThrow(/version 99 is not supported/);
  });
});

describe('FileStore.verify', () => {
  it('reads every file so a corrupt one fails at startup, named', async () => {
    const store = await openStore();
    await store.putSnapshot(run(1000, [groupSnapshot('a', 1000, 1n, 1n), groupSnapshot('b', 1000, 1n, 1n)]));
    await store.verify();
    await store.close();
    const file = join(dir, 'clusters', CLUSTER, 'snapshots', 'b.json');
    await writeFile(file, '{"snapshots":[{"cluster":"local"}]}');
    const fresh = await openStore();
    await expect(fresh.verify()).rejects.toThrow(file);
  });
});
