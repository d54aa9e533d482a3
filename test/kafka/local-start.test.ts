// `lagwatch start` as a user runs it: `npm start` with nothing configured starts its own broker and
// plays the demo. Ctrl-C in a terminal sends SIGINT to the whole foreground process group (npm, node,
// and npm forwards one more), so the tests start npm in its own process group and signal the group:
// one Ctrl-C stops consumers, broker and store cleanly — no Java process, no lock, no broker folder,
// a readable store that the next start continues from; a second Ctrl-C still forces an exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FileStore } from '../../functions/adapters/local/file-store.js';

const ROOT = join(import.meta.dirname, '..', '..');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm start -- ARGS` in a new process group (detached = setsid), as a terminal's foreground job. */
function start(args: readonly string[]): Started {
  const child = spawn('npm', ['start', '--silent', '--', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, LAGWATCH_CACHE_DIR: inject('kafkaCacheDir') },
  });
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (text += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (text += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** What Ctrl-C does: the signal to every process of the foreground group. */
function ctrlC(started: Started): void {
  try {
    process.kill(-started.child.pid!, 'SIGINT');
  } catch {
    // the group is gone already (the first Ctrl-C finished the stop)
  }
}

function killGroup(started: Started): void {
  try {
    process.kill(-started.child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
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

/** Pids still in process group `pgid` (npm, node, anything they started without a group of its own). */
async function processesInGroup(pgid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) pids.push(Number(entry));
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
  it('shows the live view; one Ctrl-C to the process group leaves no process, lock or broker folder, and a store the next start reads', async () => {
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

      ctrlC(run);
      // npm re-raises the SIGINT its child got, so it ends by that signal (code null), like in a shell.
      await run.exited;
      expect(run.output()).toContain('stopping');
      expect(run.output()).not.toContain('again');
      expect(await processesMentioning(brokerDir!)).toEqual([]);
      expect(await processesInGroup(run.child.pid!)).toEqual([]);
      expect(existsSync(brokerDir!)).toBe(false);
      expect(await accepts(Number(port))).toBe(false);
      expect(await readdir(dataDir)).not.toContain('lock');
      const store = await FileStore.open(dataDir);
      await store.verify();
      const groups = await store.listGroups('demo');
      expect(groups).toHaveLength(5);
      expect((await store.readHistory('demo', groups[0]!)).length).toBeGreaterThanOrEqual(3);
      await store.close();
    } finally {
      killGroup(run);
    }
  }, 240_000);

  it('a second Ctrl-C (well after the first) forces the exit, and still drops the lock', async () => {
    const dir = join(dataDir, '..', 'forced');
    const run = start(['--data-dir', dir, '--brokers', inject('kafkaBootstrap'), '--demo', '--interval', '1']);
    try {
      await waitFor(run, /tick 2 at/, 'the second tick');
      ctrlC(run);
      await waitFor(run, /stopping/, 'the stop message');
      await new Promise((r) => setTimeout(r, 1_500)); // a person's second key press, not npm's relay
      ctrlC(run);
      await run.exited;
      // Forced ("again, exiting now") or finished first: either way nothing holds the folder.
      expect(run.output()).toMatch(/again, exiting now|stopping/);
      expect(await readdir(dir)).not.toContain('lock');
      expect(await processesInGroup(run.child.pid!)).toEqual([]);
    } finally {
      killGroup(run);
    }
  }, 240_000);

  it('refuses to start on a corrupt store, naming the file and --reset; --reset recovers', async () => {
    const file = join(dataDir, 'clusters', 'demo', 'runs.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, '{"runs": [ {"cluster": '));
    const broken = start(['--data-dir', dataDir, '--brokers', inject('kafkaBootstrap'), '--demo']);
    expect(await broken.exited).toBe(1);
    // One line naming the file, no stack trace.
    expect(broken.output()).not.toMatch(/^\s+at /m);
    expect(broken.output()).toContain(file);
    expect(broken.output()).toContain('--reset');

    const reset = start(['--data-dir', dataDir, '--brokers', inject('kafkaBootstrap'), '--demo', '--reset', '--interval', '1']);
    try {
      await waitFor(reset, /tick 2 at/, 'the second tick');
      ctrlC(reset);
      await reset.exited;
      expect(reset.output()).not.toContain('again');
    } finally {
      killGroup(reset);
    }
    const store = await FileStore.open(dataDir, { readOnly: true });
    await store.verify();
  }, 240_000);
});
