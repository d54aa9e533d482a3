// `lagwatch start` as a user runs it: with nothing configured it starts its own broker and plays the
// demo; Ctrl-C (SIGINT) stops consumers, broker and store cleanly — no Java process left, no lock,
// a readable store that the next start continues from.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FileStore } from '../../functions/adapters/local/file-store.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'functions', 'cli', 'main.ts');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(args: readonly string[]): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LAGWATCH_CACHE_DIR: inject('kafkaCacheDir') },
  });
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (text += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (text += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function waitFor(started: Started, pattern: RegExp, what: string): Promise<RegExpMatchArray> {
  for (;;) {
    const match = pattern.exec(started.output());
    if (match) return match;
    if (started.child.exitCode !== null) throw new Error(`lagwatch start exited before ${what}:\n${started.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Pids whose command line mentions `needle` (the broker's temp dir is in its java command line). */
async function processesMentioning(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(needle)) pids.push(Number(entry));
  }
  return pids;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

let dataDir: string;
beforeAll(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), 'lagwatch-start-test-')), '.lagwatch');
});
afterAll(async () => {
  await rm(join(dataDir, '..'), { recursive: true, force: true });
});

describe('lagwatch start (demo on its own broker)', () => {
  it('shows the live view, and on SIGINT leaves no Java process, no lock and a store the next start reads', async () => {
    const run = start(['--data-dir', dataDir, '--interval', '1']);
    try {
      const [, brokerDir] = await waitFor(run, /formatting Kafka \S+ storage in (\S+)\/data/, 'formatting the broker');
      const [, port] = await waitFor(run, /starting Kafka \S+ on 127\.0\.0\.1:(\d+)/, 'starting the broker');
      await waitFor(run, /tick 3 at/, 'the third tick');
      const output = run.output();
      // One line per demo group, plain text (stdout is not a TTY here).
      for (const scenario of ['healthy', 'slow', 'stopped', 'stuck', 'rewound']) {
        expect(output).toMatch(new RegExp(`^demo\\s+demo-${scenario}-[0-9a-f]{6}\\s+(OK|WARNING|ERROR)\\s`, 'm'));
      }
      expect(output).not.toContain('\u001b[');
      expect(await processesMentioning(brokerDir!)).not.toEqual([]);

      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
      expect(run.output()).toContain('stopping');
      expect(await processesMentioning(brokerDir!)).toEqual([]);
      expect(await accepts(Number(port))).toBe(false);
      expect(await readdir(dataDir)).not.toContain('lock');
      const store = await FileStore.open(dataDir);
      await store.verify();
      const groups = await store.listGroups('demo');
      expect(groups).toHaveLength(5);
      expect((await store.readHistory('demo', groups[0]!)).length).toBeGreaterThanOrEqual(3);
      await store.close();
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  }, 240_000);

  it('refuses to start on a corrupt store, naming the file and --reset; --reset recovers', async () => {
    const file = join(dataDir, 'clusters', 'demo', 'runs.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, '{"runs": [ {"cluster": '));
    const broken = start(['--data-dir', dataDir, '--brokers', inject('kafkaBootstrap'), '--demo']);
    expect(await broken.exited).toBe(1);
    expect(broken.output()).toContain(file);
    expect(broken.output()).toContain('--reset');

    const reset = start(['--data-dir', dataDir, '--brokers', inject('kafkaBootstrap'), '--demo', '--reset', '--interval', '1']);
    try {
      await waitFor(reset, /tick 2 at/, 'the second tick');
      reset.child.kill('SIGTERM');
      expect(await reset.exited).toBe(0);
    } finally {
      if (reset.child.exitCode === null) reset.child.kill('SIGKILL');
    }
    const store = await FileStore.open(dataDir, { readOnly: true });
    await store.verify();
  }, 240_000);
});
