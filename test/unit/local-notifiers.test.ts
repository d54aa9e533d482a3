// Local notifiers against a real HTTP receiver on 127.0.0.1: the Slack body, and DeliveryError on
// a non-2xx answer or a dead endpoint.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleNotifier, fanOutNotifier, formatNotification } from '../../functions/adapters/local/console-notifier.js';
import { createWebhookNotifier, slackBody } from '../../functions/adapters/local/webhook-notifier.js';
import type { Notification } from '../../functions/core/notification.js';
import { DeliveryError } from '../../functions/core/errors.js';

const notification: Notification = {
  kind: 'open',
  cluster: 'local',
  group: 'payments',
  team: 'core',
  severity: 'ERROR',
  incidentId: 'local/payments/1000',
  at: Date.UTC(2025, 0, 2, 3, 4, 5),
  subject: '[lagwatch] ERROR payments on local',
  text: 'payments is STOPPED on orders[0]\nlag 42',
  worstPartitions: [{ topic: 'orders', partition: 0, status: 'STOPPED', lag: '42', timeLagSeconds: 30 }],
  dashboardUrl: 'https://example.invalid/dash',
};

interface Received {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

let server: Server;
let base: string;
const received: Received[] = [];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve(text));
  });
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const text = await readBody(req);
    received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(text) });
    if (req.url === '/fail') {
      res.writeHead(403).end('invalid_token');
      return;
    }
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('webhook notifier', () => {
  it('posts a Slack incoming-webhook body with text and blocks', async () => {
    await createWebhookNotifier(`${base}/hook`).publish(notification);
    const hit = received.find((r) => r.path === '/hook');
    expect(hit?.contentType).toBe('application/json');
    const body = hit?.body as { text: string; blocks: { type: string }[] };
    expect(body.text).toContain(notification.subject);
    expect(body.text).toContain('lag 42');
    expect(body.blocks.map((b) => b.type)).toEqual(['section', 'section', 'context']);
    expect(JSON.stringify(body.blocks)).toContain('https://example.invalid/dash');
    // The severity is in the message, not only in the emoji.
    expect(JSON.stringify(body.blocks)).toContain('severity ERROR');
    expect(body.text).toContain('(ERROR)');
    expect(body).toEqual(JSON.parse(JSON.stringify(slackBody(notification))));
  });

  it('escapes & < > in every text, so a group named <!channel> never pings the channel', async () => {
    const hostile = '<!channel> & <@U123|boss>';
    const before = received.length;
    await createWebhookNotifier(`${base}/hook`).publish({
      ...notification,
      group: hostile,
      subject: `[lagwatch] ERROR ${hostile} on local`,
      text: `${hostile} is STOPPED`,
      incidentId: `local/${hostile}/1000`,
      dashboardUrl: 'https://example.invalid/d?a=1&b=2',
    });
    const posted = JSON.stringify(received[before]?.body);
    expect(posted).not.toMatch(/<!channel>|<@U123/);
    expect(posted).toContain('&lt;!channel&gt; &amp; &lt;@U123|boss&gt;');
    expect(posted).toContain('<https://example.invalid/d?a=1&amp;b=2|dashboard>');
  });

  it('throws a DeliveryError naming the status and the group on a non-2xx answer', async () => {
    const error = await createWebhookNotifier(`${base}/fail`).publish(notification).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).toMatch(/403/);
    expect((error as Error).message).toContain('invalid_token');
    expect((error as Error).message).toContain('payments');
  });

  it('throws a DeliveryError when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(createWebhookNotifier(`http://127.0.0.1:${port}/`).publish(notification)).rejects.toBeInstanceOf(DeliveryError);
  });

  it('rejects a malformed URL at construction', () => {
    expect(() => createWebhookNotifier('not a url')).toThrow();
  });
});

describe('console notifier', () => {
  it('prints the subject and the indented body with the time', async () => {
    let out = '';
    const notifier = createConsoleNotifier({ write: (t) => (out += t) });
    await notifier.publish(notification);
    expect(out).toBe(formatNotification(notification));
    expect(out).toContain('[alert 2025-01-02T03:04:05.000Z] ERROR open: [lagwatch] ERROR payments on local');
    expect(out).toContain('\n    lag 42\n');
    expect(notifier.sent).toEqual([notification]);
  });

  it.each([
    ['a WARNING opening', { severity: 'WARNING', kind: 'open', subject: 'payments is falling behind' }, '] WARNING open: payments is falling behind'],
    ['an escalation', { severity: 'ERROR', kind: 'repeat', subject: 'payments' }, '] ERROR repeat: payments'],
    ['a resolve', { severity: 'OK', kind: 'resolve', subject: 'payments recovered' }, '] OK resolve: payments recovered'],
  ] as const)('shows the severity whatever the subject says: %s', (_reason, change, line) => {
    expect(formatNotification({ ...notification, ...change })).toContain(line);
  });

  it('fans out to every notifier and rethrows the first failure after trying all', async () => {
    let out = '';
    const failing = { publish: async () => Promise.reject(new DeliveryError('down')) };
    const fan = fanOutNotifier([failing, createConsoleNotifier({ write: (t) => (out += t) })]);
    await expect(fan.publish(notification)).rejects.toThrow('down');
    expect(out).toContain(notification.subject);
  });
});
