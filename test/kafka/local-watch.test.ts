// `lagwatch start --brokers` against a real cluster: a wrong address ends the command at once with
// one line naming the broker; a cluster that goes away while watched keeps the last verdicts on
// screen, marked stale with the error, and logs at most one line per tick about it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../functions/local/host.js';
import { startKafkaBroker, type KafkaBroker } from '../../functions/local/kafka-broker.js';
import { startLagwatch as lagwatch, waitUntil } from '../support/lagwatch-process.js';

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
        await waitUntil(run, () => /tick 2 at/.test(run.stdout()), 'the second tick');
        expect(run.stdout()).toMatch(/^local\s+billing\s+OK\s+2\s/m);
        await broker.stop();
        await waitUntil(run, () => (run.stdout().match(/STALE: collection failed/g) ?? []).length >= 3, 'three stale ticks');
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
