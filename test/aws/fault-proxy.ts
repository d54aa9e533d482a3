// A tiny HTTP proxy in front of moto that injects AWS failures: for requests whose operation matches,
// answer with a throttling error, a 500, or (BatchWriteItem) every item handed back as unprocessed,
// then forward normally. It counts what it injected so tests can check retries happened.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'throttle' | 'server-error' | 'unprocessed';

export interface FaultRule {
  /** e.g. 'DynamoDB_20120810.BatchWriteItem' (X-Amz-Target) or 'Publish' (Action= in a query body). */
  readonly operation: string;
  readonly fault: Fault;
  /** How many matching requests fail before requests go through. */
  remaining: number;
}

export interface FaultProxy {
  readonly endpoint: string;
  readonly rules: FaultRule[];
  /** Faults served, per operation. */
  readonly injected: Map<string, number>;
  /** Requests forwarded to moto, per operation. */
  readonly forwarded: Map<string, number>;
  close(): Promise<void>;
}

function operationOf(target: string | undefined, body: string): string {
  if (target) return target;
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body);
  return action?.[1] ?? 'unknown';
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const rules: FaultRule[] = [];
  const injected = new Map<string, number>();
  const forwarded = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks);
        const body = raw.toString('utf8');
        const target = request.headers['x-amz-target'];
        const operation = operationOf(Array.isArray(target) ? target[0] : target, body);
        const rule = rules.find((r) => r.remaining > 0 && operation.endsWith(r.operation));
        if (rule) {
          rule.remaining--;
          bump(injected, operation);
          if (rule.fault === 'throttle') {
            response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'ThrottlingException' });
            response.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' }));
          } else if (rule.fault === 'server-error') {
            response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
            response.end(JSON.stringify({ __type: 'InternalFailure', message: 'injected 500' }));
          } else {
            const requestItems = (JSON.parse(body) as { RequestItems: unknown }).RequestItems;
            response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
            response.end(JSON.stringify({ UnprocessedItems: requestItems }));
          }
          return;
        }
        bump(forwarded, operation);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(request.headers)) {
          if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)) headers[k] = v;
        }
        const upstreamResponse = await fetch(`${upstream}${request.url ?? '/'}`, {
          method: request.method,
          headers,
          body: request.method === 'GET' || request.method === 'HEAD' ? undefined : raw,
        });
        const out = Buffer.from(await upstreamResponse.arrayBuffer());
        const outHeaders: Record<string, string> = {};
        upstreamResponse.headers.forEach((v, k) => {
          if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k)) outHeaders[k] = v;
        });
        response.writeHead(upstreamResponse.status, outHeaders);
        response.end(out);
      })().catch((error: unknown) => {
        response.writeHead(502);
        response.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    rules,
    injected,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
