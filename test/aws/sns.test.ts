// SnsNotifier against moto: real HTTP deliveries to local subscribers, per-protocol bodies
// (MessageStructure json) and per-team routing with subscription filter policies.
import { CreateTopicCommand, GetSubscriptionAttributesCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isChatbotNotification, toChatbotNotification } from '../../functions/adapters/sns/chatbot-message.js';
import { snsSubject, SnsNotifier } from '../../functions/adapters/sns/sns-notifier.js';
import type { Notification } from '../../functions/core/notification.js';
import { DeliveryError } from '../../functions/core/errors.js';
import { awsClients } from './aws-clients.js';
import { startHttpReceiver, type HttpReceiver } from './http-receiver.js';

const clients = awsClients(inject('motoEndpoint'));
const receivers: HttpReceiver[] = [];

function notification(team: string, overrides: Partial<Notification> = {}): Notification {
  return {
    kind: 'open',
    cluster: 'prod',
    group: `${team}-consumer`,
    team,
    severity: 'ERROR',
    incidentId: `prod/${team}-consumer/1`,
    at: 1_750_000_000_000,
    subject: `[ERROR] ${team}-consumer on prod: 2 partitions STOPPED, lag 12,345 (4m 10s behind)`,
    text: `${team}-consumer on prod is ERROR.\nWorst partitions:\n  orders/0 STOPPED lag 12,000`,
    worstPartitions: [{ topic: 'orders', partition: 0, status: 'STOPPED', lag: '12000', timeLagSeconds: 250 }],
    dashboardUrl: 'https://console.aws.amazon.com/cloudwatch/home#dashboards:name=lagwatch',
    ...overrides,
  };
}

async function subscribe(topicArn: string, receiver: HttpReceiver, filterPolicy?: object): Promise<string> {
  const { SubscriptionArn } = await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'http',
      Endpoint: receiver.url,
      ReturnSubscriptionArn: true,
      Attributes: filterPolicy ? { FilterPolicy: JSON.stringify(filterPolicy) } : undefined,
    }),
  );
  return SubscriptionArn ?? '';
}

async function receiver(): Promise<HttpReceiver> {
  const r = await startHttpReceiver();
  receivers.push(r);
  return r;
}

let topicArn = '';
beforeAll(async () => {
  topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: 'lagwatch-alerts-sns-test' }))).TopicArn ?? '';
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  clients.sns.destroy();
});

describe('SnsNotifier', () => {
  it('delivers subject and the Chatbot custom-notification JSON to an HTTP subscriber, routed by team', async () => {
    const payments = await receiver();
    const search = await receiver();
    const everything = await receiver();
    const paymentsArn = await subscribe(topicArn, payments, { team: ['payments'] });
    await subscribe(topicArn, search, { team: ['search'] });
    // Five keys: the message matches only if every attribute is exactly right.
    await subscribe(topicArn, everything, { cluster: ['prod'], group: ['payments-consumer', 'search-consumer'], team: ['payments', 'search'], severity: ['ERROR'], kind: ['open'] });
    const attributes = await clients.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: paymentsArn }));
    // moto confirms HTTP subscriptions itself; real SNS POSTs a SubscriptionConfirmation the receiver GETs.
    expect(attributes.Attributes?.PendingConfirmation).toBe('false');

    const notifier = new SnsNotifier(clients.sns, { topicArn });
    const n = notification('payments');
    await notifier.publish(n);
    await notifier.publish(notification('search'));
    await notifier.publish(notification('search', { kind: 'resolve', severity: 'OK' }));

    await payments.waitFor(1);
    await search.waitFor(2);
    await everything.waitFor(2);
    expect(payments.received).toHaveLength(1);
    expect(search.received).toHaveLength(2);
    expect(everything.received).toHaveLength(2);

    const envelope = payments.received[0]?.json as { Type: string; Subject: string; Message: string; TopicArn: string };
    expect(envelope.Type).toBe('Notification');
    expect(envelope.TopicArn).toBe(topicArn);
    expect(envelope.Subject).toBe(n.subject);
    const body: unknown = JSON.parse(envelope.Message);
    expect(isChatbotNotification(body)).toBe(true);
    expect(body).toEqual(toChatbotNotification(n));
    expect(body).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown', description: n.text },
      metadata: { threadId: n.incidentId, additionalContext: { team: 'payments', severity: 'ERROR', kind: 'open', cluster: 'prod' } },
    });
  });

  it('makes a valid SNS subject from any text', () => {
    expect(snsSubject('[ERROR] grüße\nzwei')).toBe('[ERROR] gr??e zwei');
    expect(snsSubject('x'.repeat(150))).toHaveLength(100);
  });

  it('throws a DeliveryError naming the topic and group when SNS refuses', async () => {
    const notifier = new SnsNotifier(clients.sns, { topicArn: `${topicArn}-missing` });
    const error = await notifier.publish(notification('payments')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(String((error as Error).message)).toMatch(/payments-consumer.*next run/);
  });
});
