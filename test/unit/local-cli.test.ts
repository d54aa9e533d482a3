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
import { parseLocalConfig } from '../../functions/local/local-config.js';

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
    ['start', () => startCommand(['--brokers', 'a:1', '--group-pattern', 'x-[a']), '--group-pattern: pattern "x-[a"'],
    ['start', () => startCommand(['--group-pattern', 'x-*']), 'not the demo'],
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

describe('local config (lagwatch.config.json as local mode reads it)', () => {
  it('takes clusters, policy and interval; teams, Slack and network are not needed', () => {
    const config = parseLocalConfig(
      {
        clusters: [{ name: 'prod', brokers: ['k1:9092'], groups: { allow: ['pay-*'] }, network: { vpcId: 'vpc-1' } }],
        policy: { defaults: { team: 'nobody-declared' } },
        snapshotIntervalMs: 30_000,
        stackName: 'Lagwatch',
      },
      'lagwatch.config.json',
    );
    expect(config.clusters.map((c) => [c.name, c.groups.allow])).toEqual([['prod', ['pay-*']]]);
    expect(config.policy.defaults.team).toBe('nobody-declared');
    expect(config.snapshotIntervalMs).toBe(30_000);
  });

  it.each([
    ['no clusters', {}, /config clusters: .*\(in my.json\)/],
    ['a bad broker, named with its index', { clusters: [{ name: 'p', brokers: ['nohost'] }] }, /config clusters\[0\]\.brokers\[0\]: .*\(in my.json\)/],
    ['an invalid group pattern', { clusters: [{ name: 'p', brokers: ['h:1'], groups: { allow: ['[a-'] } }] }, /clusters\[0\]\.groups\.allow\[0\]: .*not a valid glob/],
    ['a bad policy key', { clusters: [{ name: 'p', brokers: ['h:1'] }], policy: { defaults: { windowSize: 1 } } }, /config policy\.defaults\.windowSize: .*\(in my.json\)/],
  ])('rejects %s', (_reason, value, message) => {
    expect(() => parseLocalConfig(value, 'my.json')).toThrow(message);
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

  it('--config uses the policy inside a lagwatch.config.json (no teams or Slack needed locally)', async () => {
    const store = await storeWithHistory();
    const config = join(dir, 'lagwatch.config.json');
    await writeFile(
      config,
      JSON.stringify({ clusters: [{ name: 'prod', brokers: ['kafka:9092'] }], policy: { defaults: { alertSeverity: 'WARNING', team: 'billing-team' } } }),
    );
    expect(await backtestCommand(['--store', store, '--config', config])).toBe(0);
    expect(stdout).toMatch(/2023-11-14T22:23:00\.000Z {2}OPEN {5}WARNING {2}prod\/billing/);
    expect(await backtestCommand(['--store', store, '--config', config, '--policy', config])).toBe(2);
    expect(stderr).toContain('give one of --policy');
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

describe('every command has --help', () => {
  it.each([
    ['start', async () => (await import('../../functions/cli/start.js')).startCommand, 'usage: lagwatch start'],
    ['demo', async () => (await import('../../functions/cli/demo.js')).demoCommand, 'usage: lagwatch demo'],
    ['snapshot', async () => (await import('../../functions/cli/snapshot.js')).snapshotCommand, 'usage: lagwatch snapshot'],
    ['evaluate', async () => (await import('../../functions/cli/evaluate.js')).evaluateCommand, 'usage: lagwatch evaluate '],
    ['evaluate-partition', async () => (await import('../../functions/cli/evaluate.js')).evaluatePartitionCommand, 'usage: lagwatch evaluate-partition'],
    ['backtest', async () => (await import('../../functions/cli/backtest.js')).backtestCommand, 'usage: lagwatch backtest'],
    ['status', async () => (await import('../../functions/cli/status.js')).statusCommand, 'usage: lagwatch status'],
  ])('%s --help prints its usage and exits 0', async (_name, load, usage) => {
    expect(await (await load())(['--help'])).toBe(0);
    expect(stdout).toContain(usage);
    expect(stderr).toBe('');
  });
});

describe('flags that went to npm (npm start --brokers x, without --)', () => {
  const lifecycle = process.env['npm_lifecycle_event'];
  afterEach(() => {
    delete process.env['npm_config_brokers'];
    if (lifecycle === undefined) delete process.env['npm_lifecycle_event'];
    else process.env['npm_lifecycle_event'] = lifecycle;
  });
  it('stops with exit 2 and says to put -- before the flags, instead of starting the demo', async () => {
    // What npm hands the script for `npm start --brokers=127.0.0.1:9092`.
    process.env['npm_lifecycle_event'] = 'start';
    process.env['npm_config_brokers'] = '127.0.0.1:9092';
    expect(await startCommand([])).toBe(2);
    expect(stderr).toContain('npm took --brokers as its own config');
    expect(stderr).toContain('put -- before');
    expect(stdout).toBe('');
  });
});
