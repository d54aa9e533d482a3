// Slack forwarder Lambda: subscribed to the alert topic, posts each message to an incoming webhook.
import type { SNSEvent } from 'aws-lambda';
import { forwardSnsEventToSlack } from '../adapters/slack/slack-forwarder.js';
import { slackForwarderFromEnv } from '../forwarder-composition.js';

const app = slackForwarderFromEnv(process.env);

export async function handler(event: SNSEvent): Promise<{ posted: number }> {
  // A non-2xx from Slack throws: Lambda's async retries deliver it again.
  return forwardSnsEventToSlack(event, { webhookUrl: await app.webhookUrl() });
}
