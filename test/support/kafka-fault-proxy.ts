// A TCP proxy in front of the real test broker that injects Kafka error codes into chosen responses
// (ListOffsets, OffsetFetch, DescribeConfigs, Fetch), so partial failures can be tested against a
// real broker, and can hold a request while the test acts (`before`: delete a topic or stop the
// broker at an exact step of a collection). It rewrites the broker addresses in Metadata responses to itself, so every
// connection the client opens goes through it. Knows only the non-flexible versions kafkajs 2.2.4
// sends (Metadata ≤ v6, ListOffsets ≤ v3, OffsetFetch ≤ v4, DescribeConfigs ≤ v2, Fetch ≤ v11).
import { createServer, connect, type Server, type Socket } from 'node:net';

const API = { Fetch: 1, ListOffsets: 2, Metadata: 3, OffsetFetch: 9, FindCoordinator: 10, DescribeConfigs: 32 } as const;

export interface FaultRules {
  /** topic → error code for every partition in ListOffsets responses. */
  listOffsets?: Map<string, number>;
  /** group → error code for OffsetFetch (top level); `times` left (Infinity = always). */
  offsetFetch?: Map<string, { code: number; times: number }>;
  /** topic → error code for its DescribeConfigs resource. */
  describeConfigs?: Map<string, number>;
  /** topic → error code for its partitions in Fetch responses. */
  fetch?: Map<string, number>;
  /** Awaited before each request is forwarded, with its API name (e.g. "Metadata"); the client's
   * later requests on that connection wait behind it, so a test can act between two steps. */
  before?: (api: string) => Promise<void> | void;
}

export interface FaultProxy {
  readonly bootstrap: string;
  readonly rules: FaultRules;
  /** Requests seen per API key name. */
  readonly seen: Map<string, number>;
  close(): Promise<void>;
}

/** A cursor over a response body. */
class Reader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}
  int8(): number {
    return this.buf.readInt8((this.pos += 1) - 1);
  }
  int16(): number {
    return this.buf.readInt16BE((this.pos += 2) - 2);
  }
  int32(): number {
    return this.buf.readInt32BE((this.pos += 4) - 4);
  }
  skip(n: number): void {
    this.pos += n;
  }
  string(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  bytes(): void {
    const len = this.int32();
    if (len > 0) this.pos += len;
  }
}

function kafkaString(s: string): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(s));
  b.writeInt16BE(Buffer.byteLength(s), 0);
  b.write(s, 2);
  return b;
}

function rewriteMetadata(body: Buffer, version: number, host: string, port: number): Buffer {
  const r = new Reader(body);
  if (version >= 3) r.skip(4); // throttle
  const headEnd = r.pos;
  const count = r.int32();
  const brokers: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const nodeId = r.int32();
    r.string();
    r.int32();
    const rackStart = r.pos;
    if (version >= 1) r.string();
    const id = Buffer.alloc(4);
    id.writeInt32BE(nodeId, 0);
    const p = Buffer.alloc(4);
    p.writeInt32BE(port, 0);
    brokers.push(Buffer.concat([id, kafkaString(host), p, body.subarray(rackStart, r.pos)]));
  }
  const n = Buffer.alloc(4);
  n.writeInt32BE(count, 0);
  return Buffer.concat([body.subarray(0, headEnd), n, ...brokers, body.subarray(r.pos)]);
}

function injectListOffsets(body: Buffer, version: number, errors: Map<string, number>): void {
  const r = new Reader(body);
  if (version >= 2) r.skip(4);
  for (let t = r.int32(); t > 0; t--) {
    const topic = r.string() ?? '';
    for (let p = r.int32(); p > 0; p--) {
      r.skip(4);
      const code = errors.get(topic);
      if (code !== undefined) body.writeInt16BE(code, r.pos);
      r.skip(2);
      if (version === 0) for (let o = r.int32(); o > 0; o--) r.skip(8);
      else r.skip(16);
    }
  }
}

function injectDescribeConfigs(body: Buffer, version: number, errors: Map<string, number>): void {
  const r = new Reader(body);
  r.skip(4);
  for (let i = r.int32(); i > 0; i--) {
    const errorAt = r.pos;
    r.skip(2);
    r.string();
    r.int8();
    const name = r.string() ?? '';
    const code = errors.get(name);
    if (code !== undefined) body.writeInt16BE(code, errorAt);
    for (let e = r.int32(); e > 0; e--) {
      r.string();
      r.string();
      r.skip(1); // read_only
      r.skip(1); // is_default (v0) / config_source (v1+)
      r.skip(1); // is_sensitive
      if (version >= 1) {
        for (let s = r.int32(); s > 0; s--) {
          r.string();
          r.string();
          r.skip(1);
        }
      }
    }
  }
}

function injectFetch(body: Buffer, version: number, errors: Map<string, number>): void {
  const r = new Reader(body);
  if (version >= 1) r.skip(4);
  if (version >= 7) r.skip(6); // error_code, session_id
  for (let t = r.int32(); t > 0; t--) {
    const topic = r.string() ?? '';
    for (let p = r.int32(); p > 0; p--) {
      r.skip(4);
      const code = errors.get(topic);
      if (code !== undefined) body.writeInt16BE(code, r.pos);
      r.skip(2 + 8); // error, high watermark
      if (version >= 4) {
        r.skip(8); // last stable offset
        if (version >= 5) r.skip(8); // log start
        const aborted = r.int32();
        if (aborted > 0) r.skip(aborted * 16);
      }
      if (version >= 11) r.skip(4); // preferred read replica
      r.bytes();
    }
  }
}

export async function startFaultProxy(target: string, rules: FaultRules = {}): Promise<FaultProxy> {
  const [targetHost, targetPort] = target.split(':') as [string, string];
  const sockets = new Set<Socket>();
  const seen = new Map<string, number>();
  const names = new Map<number, string>(Object.entries(API).map(([k, v]) => [v, k]));
  let port = 0;

  const server: Server = createServer((client) => {
    const upstream = connect(Number(targetPort), targetHost);
    sockets.add(client).add(upstream);
    const pending = new Map<number, { apiKey: number; version: number; group: string | null }>();
    let fromClient: Buffer = Buffer.alloc(0);
    let fromBroker: Buffer = Buffer.alloc(0);
    // Frames go upstream in order, each after its `before` hook.
    let forwarding: Promise<void> = Promise.resolve();

    client.on('data', (chunk: Buffer) => {
      fromClient = Buffer.concat([fromClient, chunk]);
      while (fromClient.length >= 4 && fromClient.length >= 4 + fromClient.readInt32BE(0)) {
        const size = fromClient.readInt32BE(0);
        const frame = fromClient.subarray(0, 4 + size);
        fromClient = fromClient.subarray(4 + size);
        const r = new Reader(frame, 4);
        const apiKey = r.int16();
        const version = r.int16();
        const correlationId = r.int32();
        r.string(); // client id
        const group = apiKey === API.OffsetFetch ? r.string() : null;
        pending.set(correlationId, { apiKey, version, group });
        const name = names.get(apiKey) ?? String(apiKey);
        seen.set(name, (seen.get(name) ?? 0) + 1);
        forwarding = forwarding
          .then(async () => {
            await rules.before?.(name);
            upstream.write(frame);
          })
          .catch(() => end());
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      fromBroker = Buffer.concat([fromBroker, chunk]);
      while (fromBroker.length >= 4 && fromBroker.length >= 4 + fromBroker.readInt32BE(0)) {
        const size = fromBroker.readInt32BE(0);
        const correlationId = fromBroker.readInt32BE(4);
        let body: Buffer = Buffer.from(fromBroker.subarray(8, 4 + size));
        fromBroker = fromBroker.subarray(4 + size);
        const req = pending.get(correlationId);
        pending.delete(correlationId);
        if (req) body = rewrite(req, body);
        const head = Buffer.alloc(8);
        head.writeInt32BE(body.length + 4, 0);
        head.writeInt32BE(correlationId, 4);
        client.write(Buffer.concat([head, body]));
      }
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });

  function rewrite(req: { apiKey: number; version: number; group: string | null }, body: Buffer): Buffer {
    switch (req.apiKey) {
      case API.Metadata:
        return rewriteMetadata(body, req.version, '127.0.0.1', port);
      case API.ListOffsets:
        if (rules.listOffsets?.size) injectListOffsets(body, req.version, rules.listOffsets);
        return body;
      case API.OffsetFetch: {
        const rule = req.group === null ? undefined : rules.offsetFetch?.get(req.group);
        if (rule && rule.times > 0 && req.version >= 2) {
          rule.times -= 1;
          body.writeInt16BE(rule.code, body.length - 2); // the top-level error_code closes the body
        }
        return body;
      }
      case API.DescribeConfigs:
        if (rules.describeConfigs?.size) injectDescribeConfigs(body, req.version, rules.describeConfigs);
        return body;
      case API.Fetch:
        if (rules.fetch?.size) injectFetch(body, req.version, rules.fetch);
        return body;
      default:
        return body;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  return {
    bootstrap: `127.0.0.1:${port}`,
    rules,
    seen,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
