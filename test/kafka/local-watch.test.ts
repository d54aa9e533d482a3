// `lagwatch start --brokers` against a real cluster: a wrong address ends the command at once with
// one line naming the broker; a cluster that goes away while watched keeps the last verdicts on
// screen, marked stale with the error, and logs at most one line per tick about it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../functions/local/host.js';
import { startKafkaBroker, type KafkaBroker } from '../../functions/local/kafka-broker.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'functions', 'cli', 'main.ts');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function lagwatch(args: readonly string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function until(check: () => boolean, what: string, run: Run): Promise<void> {
  for (;;) {
    if (check()) return;
    if (run.child.exitCode !== null) throw new Error(`lagwatch exited before ${what}:\n${run.stdout().slice(-2000)}\n${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lagwatch-watch-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lagwatch start --brokers', () => {
  it('exits 1 at once with one line naming the broker when nothing listens there', async () => {
    const port = await freePort();
    const run = lagwatch(['start', '--brokers', `127.0.0.1:${port}`, '--data-dir', join(dir, 'refused')]);
    expect(await run.exited).toBe(1);
    const lines = run.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`127.0.0.1:${port}`);
    expect(lines[0]).toMatch(/connection refused.*check/);
  }, 60_000);

  describe('a cluster that goes away while watched', () => {
    let broker: KafkaBroker;
    beforeAll(async () => {
      broker = await startKafkaBroker({ cacheDir: inject('kafkaCacheDir') });
      const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }], waitForLeaders: true });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'orders', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
      await producer.disconnect();
      await admin.setOffsets({ groupId: 'billing', topic: 'orders', partitions: [{ partition: 0, offset: '1' }] });
      await admin.disconnect();
    }, 180_000);
    afterAll(async () => broker?.stop());

    it('keeps the last verdicts, marked stale with the error, one log line per tick at most', async () => {
      const run = lagwatch(['start', '--brokers', broker.bootstrap, '--interval', '1', '--data-dir', join(dir, 'stale')]);
      try {
        await until(() => /tick 2 at/.test(run.stdout()), 'the second tick', run);
        expect(run.stdout()).toMatch(/^local\s+billing\s+OK\s+2\s/m);
        await broker.stop();
        await until(() => (run.stdout().match(/STALE: collection failed/g) ?? []).length >= 3, 'three stale ticks', run);
        const afterStale = run.stdout().slice(run.stdout().indexOf('STALE:'));
        // The group is still on screen under the stale heading, not "(no consumer groups yet)".
        expect(afterStale).toMatch(/^local\s+billing\s+OK\s+2\s/m);
        expect(run.stdout()).not.toContain('no consumer groups yet');
        expect(afterStale).toMatch(/STALE: collection failed at .*127\.0\.0\.1/);
        const ticks = (run.stdout().match(/ · tick \d+ at /g) ?? []).length;
        const logLines = (run.stdout() + run.stderr()).split('\n').filter((l) => l.startsWith('['));
        expect(logLines.length).toBeLessThanOrEqual(ticks);
      } finally {
        run.child.kill('SIGINT');
        await run.exited;
      }
    }, 180_000);
  });
});
