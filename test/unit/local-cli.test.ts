// The local commands' argument handling: exit 2 naming the bad flag; backtest output and errors.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileStore } from '../../functions/adapters/local/file-store.js';
import { backtestCommand } from '../../functions/cli/backtest.js';
import { demoCommand } from '../../functions/cli/demo.js';
import { startCommand } from '../../functions/cli/start.js';
import { StoreError } from '../../functions/core/errors.js';

let stdout: string;
let stderr: string;
let dir: string;
beforeEach(async () => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  dir = await mkdtemp(join(tmpdir(), 'lagwatch-cli-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('bad usage exits 2 and names the flag', () => {
  it.each([
    ['start', () => startCommand(['--bogus']), '--bogus'],
    ['start', () => startCommand(['--brokers', 'localhost']), '--brokers'],
    ['start', () => startCommand(['--brokers', 'a:1', '--config', 'x.json']), '--config'],
    ['start', () => startCommand(['--interval', 'soon']), '--interval'],
    ['start', () => startCommand(['--webhook', 'nope']), '--webhook'],
    ['demo', () => demoCommand(['--duration', '-5']), '--duration'],
    ['demo', () => demoCommand(['--window', '1']), '--window'],
    ['demo', () => demoCommand(['positional']), 'positional'],
    ['backtest', () => backtestCommand(['--policy', 'p.json']), '--store'],
    ['backtest', () => backtestCommand(['--store', 'x']), '--policy'],
    ['backtest', () => backtestCommand(['--store', 'x', '--policy', 'p', '--from', 'yesterday']), '--from'],
  ])('%s %#', async (_, command, flag) => {
    expect(await command()).toBe(2);
    expect(stderr).toContain(flag);
  });

  it('prints usage with --help and exits 0', async () => {
    expect(await backtestCommand(['--help'])).toBe(0);
    expect(stdout).toContain('usage: lagwatch backtest');
    expect(await startCommand(['-h'])).toBe(0);
    expect(stdout).toContain('--data-dir');
  });
});

describe('backtest command', () => {
  async function storeWithHistory(): Promise<string> {
    const path = join(dir, 'store');
    const store = await FileStore.open(path);
    for (let i = 0; i < 12; i++) {
      const timestamp = 1_700_000_040_000 + i * 60_000;
      await store.putSnapshot({
        cluster: 'prod',
        timestamp,
        listedGroups: ['billing'],
        failures: [],
        groups: [
          {
            cluster: 'prod',
            group: 'billing',
            timestamp,
            state: 'Stable',
            members: 1,
            // Committing, but the lag grows every minute: falling-behind (WARNING) once the window of 10 is full (§6.2).
            partitions: [{ topic: 'invoices', partition: 0, committedOffset: BigInt(i * 10), logEndOffset: BigInt(i * 30 + 5) }],
          },
        ],
      });
    }
    await store.close();
    return path;
  }

  it('prints the alerts a policy would have sent, oldest first, with a summary', async () => {
    const store = await storeWithHistory();
    const policy = join(dir, 'policy.json');
    await writeFile(policy, JSON.stringify({ defaults: { alertSeverity: 'WARNING', team: 'billing-team' } }));
    expect(await backtestCommand(['--store', store, '--policy', policy])).toBe(0);
    expect(stdout).toContain('cluster prod: 12 runs from 2023-11-14T22:14:00.000Z');
    expect(stdout).toMatch(/2023-11-14T22:23:00\.000Z {2}OPEN {5}WARNING {2}prod\/billing/);
    expect(stdout).toContain('1 alert message(s): 1 open; 1 group(s) opened an incident');
  });

  it('sends nothing under a policy that alerts from ERROR only (the default is WARNING, §6.3)', async () => {
    const store = await storeWithHistory();
    const policy = join(dir, 'policy.json');
    await writeFile(policy, JSON.stringify({ defaults: { alertSeverity: 'ERROR' } }));
    expect(await backtestCommand(['--store', store, '--policy', policy, '--json'])).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject([{ cluster: 'prod', runs: 12, alerts: [] }]);
  });

  it('names a bad policy key', async () => {
    const store = await storeWithHistory();
    const policy = join(dir, 'policy.json');
    await writeFile(policy, JSON.stringify({ defaults: { windowSize: 1 } }));
    await expect(backtestCommand(['--store', store, '--policy', policy])).rejects.toThrow(`${policy}.defaults.windowSize`);
  });

  it('names the corrupt store file and how to reset it', async () => {
    const store = await storeWithHistory();
    const policy = join(dir, 'policy.json');
    await writeFile(policy, '{}');
    const file = join(store, 'clusters', 'prod', 'snapshots', 'billing.json');
    await writeFile(file, '{"snapshots": [');
    const error = await backtestCommand(['--store', store, '--policy', policy]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('--reset');
  });

  it('refuses a folder that is not a store', async () => {
    const policy = join(dir, 'policy.json');
    await writeFile(policy, '{}');
    await expect(backtestCommand(['--store', dir, '--policy', policy])).rejects.toThrow(/not a lagwatch local store/);
  });
});
