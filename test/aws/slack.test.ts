// The Slack forwarder posting to a real local HTTP server shaped as a Slack incoming webhook, and the
// webhook URL read from a Secrets Manager secret on moto.
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSecretReader } from '../../functions/adapters/secrets/secret-reader.js';
import { forwardSnsEventToSlack, resolveSlackWebhookUrl } from '../../functions/adapters/slack/slack-forwarder.js';
import { toChatbotNotification } from '../../functions/adapters/sns/chatbot-message.js';
import { buildNotification } from '../../functions/core/alert-message.js';
import { ConfigError, DeliveryError } from '../../functions/core/errors.js';
import { snsEvent as event } from '../support/lambda-events.js';
import { awsClients } from './aws-clients.js';
import { startHttpReceiver, type HttpReceiver } from './http-receiver.js';

const clients = awsClients(inject('motoEndpoint'));
let slack: HttpReceiver;
beforeAll(async () => {
  slack = await startHttpReceiver();
});
afterAll(async () => {
  await slack.close();
});

const chatbotBody = JSON.stringify(
  toChatbotNotification({
    kind: 'open', cluster: 'prod', group: 'billing', team: 'payments', severity: 'ERROR', incidentId: 'prod/billing/1', at: 1,
    subject: '[ERROR] billing on prod: 1 partition STOPPED', text: 'billing is ERROR\norders/0 STOPPED', worstPartitions: [],
    dashboardUrl: 'https://example.com/dash',
  }),
);

describe('forwardSnsEventToSlack', () => {
  it('posts one Slack message per SNS record: blocks from the Chatbot JSON, or subject + text', async () => {
    const result = await forwardSnsEventToSlack(
      event([
        { subject: '[ERROR] billing on prod: 1 partition STOPPED', message: chatbotBody },
        { subject: 'plain', message: 'just text' },
      ]),
      { webhookUrl: `${slack.url}/services/T000/B000/XXXX` },
    );
    expect(result.posted).toBe(2);
    const [first, second] = slack.received;
    expect(first?.path).toBe('/services/T000/B000/XXXX');
    expect(first?.headers['content-type']).toBe('application/json');
    const body = first?.json as { text: string; blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[] };
    expect(body.text).toBe('[ERROR] billing on prod: 1 partition STOPPED');
    expect(body.blocks[0]?.text?.text).toContain('[ERROR] billing on prod');
    expect(body.blocks[1]?.text?.text).toContain('orders/0 STOPPED');
    expect(body.blocks[2]?.elements?.some((e) => e.text.includes('https://example.com/dash'))).toBe(true);
    expect((second?.json as { text: string; blocks: { text: { text: string } }[] }).blocks[1]?.text.text).toContain('just text');
  });

  it('escapes & < > so a hostile group name like <!channel> never pings the channel (Chatbot JSON and plain text)', async () => {
    const hostile = '<!channel> & <@U123|boss>';
    const notification = buildNotification({
      kind: 'gone', cluster: 'prod', group: hostile, team: 'payments', incidentId: `prod/${hostile}/1`, since: 0, now: 60_000,
      verdict: null, dashboardUrl: 'https://example.com/d?a=1&b=2',
    });
    const before = slack.received.length;
    await forwardSnsEventToSlack(
      event([
        { subject: notification.subject, message: JSON.stringify(toChatbotNotification(notification)) },
        { subject: notification.subject, message: notification.text },
      ]),
      { webhookUrl: `${slack.url}/services/T000/B000/XXXX` },
    );
    const posted = slack.received.slice(before);
    expect(posted).toHaveLength(2);
    for (const { body } of posted) {
      // The raw post: no Slack control sequence survives anywhere in it.
      const texts = JSON.stringify(JSON.parse(body));
      expect(texts).not.toMatch(/<!channel>|<@U123/);
      expect(texts).toContain('&lt;!channel&gt; &amp; &lt;@U123|boss&gt;');
    }
    // Not escaped twice on the Chatbot path, and links keep working (Slack unescapes &amp;).
    expect(posted[0]!.body).not.toContain('&amp;lt;');
    expect(posted[0]!.body).toContain('https://example.com/d?a=1&amp;b=2');
    const chatbot = toChatbotNotification(notification);
    expect(chatbot.metadata.additionalContext.group).toBe(hostile);
    expect(chatbot.content.title).toContain('&lt;!channel&gt;');
  });

  it('throws on a non-2xx answer so Lambda retries, without leaking the webhook URL', async () => {
    slack.statuses.push(404);
    const error = await forwardSnsEventToSlack(event([{ subject: 's', message: 'm' }]), { webhookUrl: `${slack.url}/services/SECRET` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).toContain('404');
    expect((error as Error).message).not.toContain('SECRET');
  });
});

describe('resolveSlackWebhookUrl', () => {
  it('reads the URL from a plain or JSON secret and rejects anything else, naming the secret', async () => {
    const plain = await clients.secrets.send(new CreateSecretCommand({ Name: 'slack-plain', SecretString: 'https://hooks.slack.com/services/A/B/C' }));
    const json = await clients.secrets.send(new CreateSecretCommand({ Name: 'slack-json', SecretString: '{"webhookUrl":"https://hooks.slack.com/services/D/E/F"}' }));
    const bad = await clients.secrets.send(new CreateSecretCommand({ Name: 'slack-bad', SecretString: 'not a url' }));
    const readSecret = createSecretReader(() => clients.secrets);
    expect(await resolveSlackWebhookUrl(readSecret, plain.ARN ?? '')).toBe('https://hooks.slack.com/services/A/B/C');
    expect(await resolveSlackWebhookUrl(readSecret, json.ARN ?? '')).toBe('https://hooks.slack.com/services/D/E/F');
    const error = await resolveSlackWebhookUrl(readSecret, bad.ARN ?? '').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('slack-bad');
  });
});
