// A real HTTP endpoint on 127.0.0.1 that records what is POSTed to it: an SNS HTTP subscriber (it
// confirms subscriptions by GETting SubscribeURL, as a real subscriber must) or a Slack webhook.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: unknown;
}

export interface HttpReceiver {
  readonly url: string;
  readonly received: Received[];
  /** Confirmations this receiver performed (real SNS sends one per subscription; moto confirms by itself). */
  readonly confirmations: string[];
  /** Status answered to the next requests, in order (then 200). */
  readonly statuses: number[];
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const received: Received[] = [];
  const confirmations: string[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(body);
        } catch {
          // not JSON
        }
        const message = json as { Type?: string; SubscribeURL?: string } | null;
        if (message?.Type === 'SubscriptionConfirmation' && typeof message.SubscribeURL === 'string') {
          await fetch(message.SubscribeURL).then((r) => r.arrayBuffer());
          confirmations.push(message.SubscribeURL);
        } else {
          received.push({ path: request.url ?? '/', headers: request.headers, body, json });
        }
        const status = statuses.shift() ?? 200;
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(status < 300 ? 'ok' : 'invalid_token');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    confirmations,
    statuses,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
