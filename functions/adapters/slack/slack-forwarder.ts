// For teams without Amazon Q Developer in chat applications: a Lambda subscribed to the alert topic
// posts each message to a Slack incoming webhook. A non-2xx answer throws so Lambda retries the event.
import type { SNSEvent, SNSEventRecord } from 'aws-lambda';
import { ConfigError, DeliveryError } from '../../core/errors.js';
import { truncate } from '../../core/format.js';
import type { ReadSecret } from '../secrets/secret-reader.js';
import { escapeSlackText, isChatbotNotification } from '../sns/chatbot-message.js';
import { slackMessage, type SlackMessage } from './slack-message.js';

/** The notification text (what Slack shows in a push or a preview). */
const TEXT_MAX = 300;

/** One Slack message from one SNS record: the custom-notification JSON when present (its texts are
 * escaped already), else subject + text, escaped here. */
export function slackMessageFromRecord(record: SNSEventRecord): SlackMessage {
  const { Message, Subject } = record.Sns;
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(Message);
  } catch {
    // plain text body
  }
  if (isChatbotNotification(parsed)) {
    const { title, description, nextSteps } = parsed.content;
    return slackMessage({ text: truncate(parsed.metadata.summary, TEXT_MAX), headline: title, body: description, context: nextSteps });
  }
  const subject = escapeSlackText(Subject ?? 'lagwatch alert');
  return slackMessage({ text: truncate(subject, TEXT_MAX), headline: subject, body: escapeSlackText(Message), context: [] });
}

/** Posts every record of the event; throws a DeliveryError on the first non-2xx (Lambda retries). */
export async function forwardSnsEventToSlack(
  event: SNSEvent,
  deps: { webhookUrl: string; fetch?: typeof fetch },
): Promise<{ posted: number }> {
  const doFetch = deps.fetch ?? fetch;
  let posted = 0;
  for (const record of event.Records) {
    const message = slackMessageFromRecord(record);
    const response = await doFetch(deps.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
    const body = await response.text();
    if (!response.ok) {
      // Never echo the webhook URL: it is a secret.
      throw new DeliveryError(
        `Slack webhook answered ${response.status} for SNS message ${record.Sns.MessageId}: ${truncate(body, 200)}; ` +
          'check the webhook in the Slack secret is still active',
        { context: { status: response.status, messageId: record.Sns.MessageId } },
      );
    }
    posted++;
  }
  return { posted };
}

/** Reads the webhook URL from a Secrets Manager secret: either the URL itself or JSON `{"webhookUrl": "..."}`. */
export async function resolveSlackWebhookUrl(readSecret: ReadSecret, secretId: string): Promise<string> {
  const raw = (await readSecret(secretId)).trim();
  let url = raw;
  if (raw.startsWith('{')) {
    try {
      const parsed = JSON.parse(raw) as { webhookUrl?: unknown };
      url = typeof parsed.webhookUrl === 'string' ? parsed.webhookUrl : '';
    } catch {
      url = '';
    }
  }
  if (!/^https?:\/\/\S+$/.test(url)) {
    throw new ConfigError(
      `secret ${secretId}`,
      'must hold a Slack incoming-webhook URL, either the URL itself or {"webhookUrl": "https://hooks.slack.com/services/..."}',
    );
  }
  return url;
}
