// The headless demo end to end, as a user runs it: the CLI in a child process against the shared
// broker (--brokers), JSON on stdout only, and the five scenarios ending as evaluation.md says.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FileStore } from '../../functions/adapters/local/file-store.js';
import { runLagwatch, type Finished } from '../support/lagwatch-process.js';

const lagwatch = runLagwatch;

interface GroupReport {
  group: string;
  status: string;
  partitions: { topic: string; partition: number; status: string; lag: string | null }[];
}

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lagwatch-demo-test-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('lagwatch demo --json', () => {
  let run: Finished;
  let report: GroupReport[];

  beforeAll(async () => {
    // 2 s snapshots for 48 s: 24 ticks, where the verdicts settle after 15 (3 + window 10 + 2).
    run = await lagwatch([
      'demo', '--brokers', inject('kafkaBootstrap'), '--interval', '2', '--duration', '48', '--json', '--data-dir', join(dataDir, 'store'),
    ]);
    if (run.code !== 0) throw new Error(`demo exited ${run.code}:\n${run.stderr.slice(-4000)}`);
    report = JSON.parse(run.stdout) as GroupReport[];
  }, 240_000);

  const byScenario = (name: string): GroupReport => {
    const found = report.filter((g) => g.group.includes(`-${name}-`));
    expect(found, `one group for ${name} in ${run.stdout}`).toHaveLength(1);
    return found[0]!;
  };

  it('prints only the JSON array on stdout, progress and alerts on stderr', () => {
    expect(Array.isArray(report)).toBe(true);
    expect(report).toHaveLength(5);
    expect(run.stdout.trim().startsWith('[')).toBe(true);
    expect(run.stderr).toContain('[progress]');
    expect(run.stderr).toContain('[alert ');
  });

  it('healthy is OK with no lag to speak of', () => {
    const healthy = byScenario('healthy');
    expect(healthy.status).toBe('OK');
    expect(healthy.partitions.length).toBe(2);
    expect(healthy.partitions.every((p) => p.status === 'OK')).toBe(true);
  });

  it('slow is WARNING: its lag grew at every snapshot', () => {
    const slow = byScenario('slow');
    expect(slow.status).toBe('WARNING');
    expect(slow.partitions.map((p) => p.status)).toContain('WARNING');
    expect(BigInt(slow.partitions[0]!.lag ?? '0')).toBeGreaterThan(0n);
  });

  it('stopped is ERROR with a STOPPED partition (consumers gone)', () => {
    const stopped = byScenario('stopped');
    expect(stopped.status).toBe('ERROR');
    expect(stopped.partitions.map((p) => p.status)).toContain('STOPPED');
  });

  it('stuck is ERROR with a STALLED partition (member alive, not committing)', () => {
    const stuck = byScenario('stuck');
    expect(stuck.status).toBe('ERROR');
    expect(stuck.partitions.map((p) => p.status)).toContain('STALLED');
  });

  it('rewound is ERROR with a REWIND partition', () => {
    const rewound = byScenario('rewound');
    const story = run.stderr.split('\n').filter((l) => /rewound|skipped|failed/.test(l) && !l.startsWith('    ')).join('\n');
    expect(rewound.status, `${JSON.stringify(rewound)}\n${story}`).toBe('ERROR');
    expect(rewound.partitions.map((p) => p.status)).toContain('REWIND');
  });

  it('left a clean store behind: no lock, no temp files, history readable', async () => {
    const store = join(dataDir, 'store');
    expect(await readdir(store)).not.toContain('lock');
    const reader = await FileStore.open(store, { readOnly: true });
    const groups = await reader.listGroups('demo');
    expect(groups).toEqual(report.map((g) => g.group).sort());
    const files = await readdir(join(store, 'clusters', 'demo', 'snapshots'));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const history = await reader.readHistory('demo', report[0]!.group);
    expect(history.length).toBeGreaterThanOrEqual(15);
  });

  it('backtest replays that history and reproduces the alerts the demo opened', async () => {
    const policyFile = join(dataDir, 'policy.json');
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(policyFile, JSON.stringify({ defaults: { windowSize: 10, alertSeverity: 'WARNING' } })),
    );
    const backtest = await lagwatch(['backtest', '--store', join(dataDir, 'store'), '--policy', policyFile, '--json']);
    expect(backtest.code, backtest.stderr).toBe(0);
    const [cluster] = JSON.parse(backtest.stdout) as { cluster: string; alerts: { kind: string; group: string; severity: string }[] }[];
    expect(cluster?.cluster).toBe('demo');
    const opened = new Set(cluster!.alerts.filter((a) => a.kind === 'open').map((a) => a.group.split('-')[1]));
    expect([...opened].sort()).toEqual(['rewound', 'slow', 'stopped', 'stuck']);
    // Muting everything: the same history yields no alert at all.
    await import('node:fs/promises').then((fs) => fs.writeFile(policyFile, JSON.stringify({ defaults: { mute: true } })));
    const muted = await lagwatch(['backtest', '--store', join(dataDir, 'store'), '--policy', policyFile, '--json']);
    expect((JSON.parse(muted.stdout) as { alerts: unknown[] }[])[0]?.alerts).toEqual([]);
  });
});
