// `lagwatch snapshot` end to end: the real CLI entry point as a child process against the test broker.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { commit, createTopicWithMessages, testKafka, uniqueName } from '../support/kafka-fixtures.js';

const bootstrap = inject('kafkaBootstrap');

function lagwatch(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'functions/cli/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('lagwatch snapshot', () => {
  const prefix = uniqueName('cli');
  const topic = `${prefix}-t`;
  const kafka = testKafka(bootstrap);
  let admin: Admin;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await createTopicWithMessages(kafka, admin, topic, [5, 9, 2]);
    await commit(admin, `${prefix}-a`, topic, { 0: 5, 1: 3 }); // never committed on partition 2
    await commit(admin, `${prefix}-b`, topic, { 2: 1 });
  });
  afterAll(async () => admin.disconnect());

  it('--json prints one array of committed group-partitions with decimal-string offsets', async () => {
    const out = await lagwatch(['snapshot', '--brokers', bootstrap, '--group-pattern', `/^${prefix}-/`, '--json']);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual([
      { group: `${prefix}-a`, topic, partition: 0, committedOffset: '5', logEndOffset: '5', lag: '0' },
      { group: `${prefix}-a`, topic, partition: 1, committedOffset: '3', logEndOffset: '9', lag: '6' },
      { group: `${prefix}-b`, topic, partition: 2, committedOffset: '1', logEndOffset: '2', lag: '1' },
    ]);
  });

  it('--group-pattern takes a glob (with a character class) and --exclude-pattern drops groups', async () => {
    const out = await lagwatch(['snapshot', '--brokers', bootstrap, '--group-pattern', `${prefix}-[a-z]`, '--exclude-pattern', `${prefix}-b`, '--json']);
    expect(out.code, out.stderr).toBe(0);
    expect(new Set((JSON.parse(out.stdout) as { group: string }[]).map((r) => r.group))).toEqual(new Set([`${prefix}-a`]));
  });

  it('prints a kafka-consumer-groups style table without --json', async () => {
    const out = await lagwatch(['snapshot', '--brokers', bootstrap, '--group-pattern', `${prefix}-a`]);
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.trim().split('\n').map((l) => l.split(/\s+/));
    expect(lines[0]).toEqual(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG']);
    expect(lines.slice(1)).toEqual([
      [`${prefix}-a`, topic, '0', '5', '5', '0'],
      [`${prefix}-a`, topic, '1', '3', '9', '6'],
      [`${prefix}-a`, topic, '2', '-', '2', '-'],
    ]);
  });

  it('exits 1 with one message naming the cluster and broker, nothing on stdout, when nothing listens', async () => {
    const out = await lagwatch(['snapshot', '--brokers', '127.0.0.1:1', '--json']);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/cluster 'cli', broker 127\.0\.0\.1:1: connection refused/);
  });

  it('exits 1 naming the host for an unknown host', async () => {
    const out = await lagwatch(['snapshot', '--brokers', 'no-such-broker.invalid:9092']);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/no-such-broker\.invalid:9092: unknown host/);
  });

  it('exits 1 with a TLS hint when TLS is used against a plaintext listener', async () => {
    const out = await lagwatch(['snapshot', '--brokers', bootstrap, '--tls']);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/TLS handshake failed/);
  });

  it.each([
    [['snapshot'], /--brokers is required/],
    [['snapshot', '--brokers', 'localhost'], /--brokers: must be HOST:PORT/],
    [['snapshot', '--brokers', bootstrap, '--group-pattern', '/(/'], /--group-pattern: pattern "\/\(\/" is not a valid regular expression/],
    [['snapshot', '--brokers', bootstrap, '--group-pattern', 'my-[a-z'], /--group-pattern: pattern "my-\[a-z" is not a valid glob/],
    [['snapshot', '--brokers', bootstrap, '--bogus'], /Unknown option '--bogus'/],
  ])('exits 2 on bad usage: %j', async (args, message) => {
    const out = await lagwatch(args);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(message);
  });
});
