// `lagwatch start --http`: Burrow's v3 endpoints and Prometheus /metrics over real HTTP, served by a
// running local mode watching groups with real committed offsets on the test broker. The status
// shape is checked key by key against Burrow's documented response (test/fixtures).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../functions/local/host.js';
import { commit, createTopicWithMessages, testKafka, uniqueName } from '../support/kafka-fixtures.js';
import { ROOT, startLagwatch, waitUntil, type Running } from '../support/lagwatch-process.js';

const BURROW = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'burrow-status-response.json'), 'utf8')) as Record<string, unknown>;

/** Every key of `expected` (recursively, arrays by their first element) is in `actual` with the same JSON type. */
function shapeProblems(expected: unknown, actual: unknown, path = ''): string[] {
  const type = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (type(expected) !== type(actual)) return [`${path || '(root)'}: ${type(actual)} instead of ${type(expected)}`];
  if (Array.isArray(expected)) return expected.length === 0 || (actual as unknown[]).length === 0 ? [] : shapeProblems(expected[0], (actual as unknown[])[0], `${path}[0]`);
  if (type(expected) !== 'object') return [];
  return Object.entries(expected as Record<string, unknown>)
    .filter(([k]) => k !== '$comment')
    .flatMap(([k, v]) => (k in (actual as object) ? shapeProblems(v, (actual as Record<string, unknown>)[k], `${path}.${k}`) : [`${path}.${k}: missing`]));
}

let dir: string;
let run: Running;
let base: string;
const prefix = uniqueName('http');
const topic = `${prefix}-orders`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lagwatch-http-test-'));
  const kafka = testKafka(inject('kafkaBootstrap'));
  const admin = kafka.admin();
  await admin.connect();
  await createTopicWithMessages(kafka, admin, topic, [10, 4]);
  await commit(admin, `${prefix}-behind`, topic, { 0: 3, 1: 4 }); // lag 7 on partition 0, none on 1
  await commit(admin, `${prefix}-caught-up`, topic, { 0: 10, 1: 4 });
  await admin.disconnect();

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  run = startLagwatch(['start', '--brokers', inject('kafkaBootstrap'), '--cluster', 'local', '--group-pattern', `${prefix}-*`,
    '--interval', '1', '--http', `127.0.0.1:${port}`, '--data-dir', join(dir, 'store')]);
  await waitUntil(run, () => /tick 3 at/.test(run.stdout()), 'the third tick');
}, 120_000);

afterAll(async () => {
  if (run && run.child.exitCode === null) {
    run.child.kill('SIGINT');
    await run.exited;
  }
  await rm(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<{ code: number; type: string | null; body: string }> {
  const res = await fetch(`${base}${path}`);
  return { code: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('Burrow v3 API', () => {
  it('GET /v3/kafka lists the watched cluster', async () => {
    const res = await get('/v3/kafka');
    expect(res.code).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ error: false, message: 'cluster list returned', clusters: ['local'], request: { url: '/v3/kafka' } });
  });

  it('GET /v3/kafka/{cluster}/consumer lists the groups', async () => {
    const res = JSON.parse((await get('/v3/kafka/local/consumer')).body) as { consumers: string[] };
    expect(res).toMatchObject({ error: false, message: 'consumer list returned' });
    expect(res.consumers).toEqual([`${prefix}-behind`, `${prefix}-caught-up`]);
  });

  it('GET .../lag has every partition in Burrow shape, with lagwatch fields alongside', async () => {
    const res = await get(`/v3/kafka/local/consumer/${prefix}-behind/lag`);
    expect(res.code).toBe(200);
    expect(res.type).toBe('application/json');
    const body = JSON.parse(res.body) as { status: Record<string, unknown> & { partitions: Record<string, unknown>[]; maxlag: Record<string, unknown> } };
    expect(shapeProblems(BURROW, body)).toEqual([]);
    expect(body.status).toMatchObject({ cluster: 'local', group: `${prefix}-behind`, partition_count: 2, totallag: 7 });
    expect(body.status.partitions.map((p) => [p.partition, p.current_lag])).toEqual([[0, 7], [1, 0]]);
    expect(body.status.maxlag).toMatchObject({ topic, partition: 0, current_lag: 7, end: { offset: 3, lag: 7 } });
    expect(body.status.partitions[0]).toHaveProperty('rule');
    expect(body.status.partitions[0]).toHaveProperty('time_lag_seconds');
    expect(body.status).toHaveProperty('max_time_lag_seconds');
  });

  it('GET .../status lists only the partitions that are not OK', async () => {
    const body = JSON.parse((await get(`/v3/kafka/local/consumer/${prefix}-caught-up/status`)).body) as { status: { status: string; partitions: unknown[] } };
    expect(body.status.status).toBe('OK');
    expect(body.status.partitions).toEqual([]);
  });

  it('an unknown group is HTTP 404 with error false and status NOTFOUND; an unknown URL 404 "invalid request type"', async () => {
    const missing = await get(`/v3/kafka/local/consumer/${prefix}-nobody/status`);
    expect(missing.code).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: false, status: { status: 'NOTFOUND', group: `${prefix}-nobody` } });
    const cluster = await get('/v3/kafka/elsewhere/consumer');
    expect(cluster.code).toBe(404);
    expect(JSON.parse(cluster.body)).toMatchObject({ error: true, message: 'cluster not found' });
    const bad = await get('/v2/anything');
    expect(bad.code).toBe(404);
    expect(JSON.parse(bad.body)).toEqual({ error: true, message: 'invalid request type', result: {} });
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text with group status, lag and time lag', async () => {
    const res = await get('/metrics');
    expect(res.code).toBe(200);
    expect(res.type).toContain('text/plain');
    expect(res.body).toContain('# TYPE lagwatch_group_status gauge');
    expect(res.body).toContain(`lagwatch_group_total_lag{cluster="local",group="${prefix}-behind"} 7`);
    expect(res.body).toContain(`lagwatch_topic_lag{cluster="local",group="${prefix}-behind",topic="${topic}"} 7`);
    expect(res.body).toMatch(new RegExp(`lagwatch_group_max_time_lag_seconds\\{cluster="local",group="${prefix}-behind"\\} \\d`));
    expect(res.body).toContain('lagwatch_cluster_up{cluster="local"} 1');
    // Every sample line: a known metric name and only bounded labels.
    for (const line of res.body.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
      expect(line).toMatch(/^lagwatch_[a-z_]+\{cluster="[^"]*"(,group="[^"]*")?(,topic="[^"]*")?\} -?\d+(\.\d+)?(e[+-]?\d+)?$/);
    }
  });
});
