// Local mode's HTTP API (`lagwatch start --http 127.0.0.1:8000`): Burrow's v3 read endpoints with
// Burrow's response shapes, so scripts and dashboards written against Burrow keep working, plus
// `GET /metrics` in Prometheus text format. lagwatch's own fields (time lag, the rule that
// decided, lagwatch's status names) are added alongside Burrow's, never instead of them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { UsageError } from '../core/errors.js';
import type { GroupSnapshot, GroupVerdict, PartitionVerdict } from '../core/types.js';

/** What the API serves: the newest verdicts per cluster (every watched cluster is listed, even
 * with no groups yet) and each group's window, oldest first, for Burrow's start/end offsets. */
export interface ApiSource {
  clusters(): readonly string[];
  verdicts(cluster: string): readonly GroupVerdict[] | null;
  /** The collection error of the newest tick, or null when it read the cluster. */
  collectionError(cluster: string): string | null;
  window(cluster: string, group: string): Promise<readonly GroupSnapshot[]>;
}

/** Burrow's status strings (its StatusConstant names). */
const BURROW_STATUS: Readonly<Record<string, string>> = {
  OK: 'OK',
  WARNING: 'WARN',
  ERROR: 'ERR',
  NOTFOUND: 'NOTFOUND',
  STOPPED: 'STOP',
  STALLED: 'STALL',
  REWIND: 'REWIND',
};

export function burrowStatus(status: string): string {
  // A status lagwatch adds later and Burrow lacks reads as ERR there, never as OK.
  return BURROW_STATUS[status] ?? 'ERR';
}

interface RequestInfo {
  readonly url: string;
  readonly host: string;
}

interface BurrowOffset {
  readonly offset: number;
  readonly timestamp: number;
  readonly observedAt: number;
  readonly lag: number | null;
}

type Json = Record<string, unknown>;

/** Offsets are bigints in lagwatch; Burrow's JSON has int64 numbers (exact up to 2^53). */
const num = (v: bigint | null): number | null => (v === null ? null : Number(v));

function windowOffsets(window: readonly GroupSnapshot[], topic: string, partition: number): { start: BurrowOffset | null; end: BurrowOffset | null } {
  const points: BurrowOffset[] = [];
  for (const s of window) {
    const p = s.partitions.find((x) => x.topic === topic && x.partition === partition);
    if (p === undefined || p.committedOffset === null) continue;
    const lag = p.logEndOffset === null ? null : p.logEndOffset > p.committedOffset ? p.logEndOffset - p.committedOffset : 0n;
    points.push({ offset: Number(p.committedOffset), timestamp: s.timestamp, observedAt: s.timestamp, lag: num(lag) });
  }
  return { start: points[0] ?? null, end: points[points.length - 1] ?? null };
}

/** One partition in Burrow's shape, with lagwatch's fields after Burrow's. */
export function burrowPartition(p: PartitionVerdict, window: readonly GroupSnapshot[]): Json {
  const { start, end } = windowOffsets(window, p.topic, p.partition);
  return {
    topic: p.topic,
    partition: p.partition,
    owner: '',
    client_id: '',
    status: burrowStatus(p.status),
    start,
    end,
    current_lag: num(p.lag) ?? 0,
    complete: p.complete,
    // lagwatch's own
    lagwatch_status: p.status,
    rule: p.rule,
    time_lag_seconds: p.timeLag.seconds,
    time_lag_kind: p.timeLag.kind,
    no_commits: p.noCommits,
    insufficient_data: p.insufficientData,
  };
}

/**
 * Burrow's ConsumerGroupStatus for a verdict: `/status` lists the partitions that are not OK,
 * `/lag` all of them; `maxlag` is the partition with the largest current lag.
 */
export function burrowGroupStatus(v: GroupVerdict, window: readonly GroupSnapshot[], all: boolean): Json {
  const partitions = v.partitions.map((p) => ({ verdict: p, json: burrowPartition(p, window) }));
  let max: (typeof partitions)[number] | null = null;
  for (const p of partitions) if (p.verdict.lag !== null && (max === null || p.verdict.lag > (max.verdict.lag ?? -1n))) max = p;
  return {
    cluster: v.cluster,
    group: v.group,
    status: burrowStatus(v.status),
    complete: v.complete,
    partitions: partitions.filter((p) => all || p.verdict.status !== 'OK').map((p) => p.json),
    partition_count: v.partitions.length,
    maxlag: max?.json ?? null,
    totallag: Number(v.totalLag),
    // lagwatch's own
    lagwatch_status: v.status,
    state: v.state,
    members: v.members,
    evaluated_at: v.evaluatedAt,
    max_time_lag_seconds: v.maxTimeLag.seconds,
    max_time_lag_kind: v.maxTimeLag.kind,
  };
}

/** Burrow's answer for a group it does not know: HTTP 404, `error: false`, status NOTFOUND. */
export function burrowNotFound(cluster: string, group: string): Json {
  return { cluster, group, status: 'NOTFOUND', complete: 1, partitions: [], partition_count: 0, maxlag: null, totallag: 0 };
}

// ---------------------------------------------------------------------------------------------
// Prometheus

const GROUP_STATUS_VALUE: Readonly<Record<string, number>> = { OK: 0, WARNING: 1, ERROR: 2 };

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * Prometheus text exposition. Labels are only cluster, group and topic (bounded by what the cluster
 * holds and the group filters); never a rule text, an error or a partition number.
 */
export function prometheusText(source: Pick<ApiSource, 'clusters' | 'verdicts' | 'collectionError'>): string {
  const families: { name: string; help: string; samples: string[] }[] = [
    { name: 'lagwatch_cluster_up', help: '1 when the newest collection read the cluster, 0 when it failed', samples: [] },
    { name: 'lagwatch_group_status', help: 'Group status: 0 OK, 1 WARNING, 2 ERROR', samples: [] },
    { name: 'lagwatch_group_total_lag', help: 'Sum of the lag of every partition of the group (messages)', samples: [] },
    { name: 'lagwatch_group_max_lag', help: 'Largest partition lag of the group (messages)', samples: [] },
    { name: 'lagwatch_group_max_time_lag_seconds', help: 'Age of the oldest unconsumed message of the group (seconds)', samples: [] },
    { name: 'lagwatch_topic_lag', help: 'Sum of the lag of the group on the topic (messages)', samples: [] },
  ];
  const [up, status, total, maxLag, timeLag, topicLag] = families as [
    (typeof families)[0], (typeof families)[0], (typeof families)[0], (typeof families)[0], (typeof families)[0], (typeof families)[0],
  ];
  for (const cluster of source.clusters()) {
    const c = `cluster="${label(cluster)}"`;
    up.samples.push(`lagwatch_cluster_up{${c}} ${source.collectionError(cluster) === null ? 1 : 0}`);
    for (const v of source.verdicts(cluster) ?? []) {
      const g = `${c},group="${label(v.group)}"`;
      const value = GROUP_STATUS_VALUE[v.status];
      if (value !== undefined) status.samples.push(`lagwatch_group_status{${g}} ${value}`);
      total.samples.push(`lagwatch_group_total_lag{${g}} ${v.totalLag}`);
      maxLag.samples.push(`lagwatch_group_max_lag{${g}} ${v.maxLag?.lag ?? 0n}`);
      timeLag.samples.push(`lagwatch_group_max_time_lag_seconds{${g}} ${v.maxTimeLag.seconds}`);
      const byTopic = new Map<string, bigint>();
      for (const p of v.partitions) byTopic.set(p.topic, (byTopic.get(p.topic) ?? 0n) + (p.lag ?? 0n));
      for (const [topic, lag] of byTopic) topicLag.samples.push(`lagwatch_topic_lag{${g},topic="${label(topic)}"} ${lag}`);
    }
  }
  return families.map((f) => [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} gauge`, ...f.samples].join('\n')).join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// The server

/** `--http [HOST:]PORT`: loopback unless a host is given. */
export function parseListenAddress(value: string): { host: string; port: number } {
  const match = /^(?:(\[[0-9a-fA-F:]+\]|[^:\s]+):)?(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (match === null || !(port >= 0 && port <= 65_535)) {
    throw new UsageError(`--http expects [HOST:]PORT, e.g. 127.0.0.1:8000 or 8000, got ${JSON.stringify(value)}`);
  }
  return { host: (match[1] ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1'), port };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function route(source: ApiSource, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const request: RequestInfo = { url: url.pathname, host: hostname() };
  if (req.method !== 'GET') return send(res, 405, { error: true, message: 'request method not supported', request });
  if (url.pathname === '/metrics') {
    const text = prometheusText(source);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  const parts = url.pathname.replace(/\/+$/, '').split('/').slice(1).map(decodeURIComponent);
  if (parts[0] !== 'v3' || parts[1] !== 'kafka') return send(res, 404, { error: true, message: 'invalid request type', result: {} });
  if (parts.length === 2) return send(res, 200, { error: false, message: 'cluster list returned', clusters: [...source.clusters()], request });
  const cluster = parts[2]!;
  const verdicts = source.clusters().includes(cluster) ? (source.verdicts(cluster) ?? []) : null;
  if (parts[3] !== 'consumer' || parts.length > 6) return send(res, 404, { error: true, message: 'invalid request type', result: {} });
  if (verdicts === null) return send(res, 404, { error: true, message: 'cluster not found', request });
  if (parts.length === 4) {
    return send(res, 200, { error: false, message: 'consumer list returned', consumers: verdicts.map((v) => v.group).sort(), request });
  }
  const group = parts[4]!;
  const kind = parts[5];
  if (kind !== 'status' && kind !== 'lag') return send(res, 404, { error: true, message: 'invalid request type', result: {} });
  const verdict = verdicts.find((v) => v.group === group);
  if (verdict === undefined) {
    return send(res, 404, { error: false, message: 'consumer status returned', status: burrowNotFound(cluster, group), request });
  }
  const window = await source.window(cluster, group);
  send(res, 200, { error: false, message: 'consumer status returned', status: burrowGroupStatus(verdict, window, kind === 'lag'), request });
}

/** Starts the API on `host:port`; resolves once it listens (port 0 picks a free one). */
export async function startHttpApi(source: ApiSource, address: { host: string; port: number }): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    route(source, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: true, message: `internal error: ${(error as Error).message}`, request: { url: req.url ?? '', host: hostname() } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new UsageError(`--http cannot listen on ${address.host}:${address.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use; pick another' : error.message}`)),
    );
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
