// Posts notifications to a Slack-compatible incoming webhook: `{ text, blocks }` (slack-message.ts,
// the same builder the Slack forwarder Lambda uses).
import type { Notification } from '../../core/notification.js';
import { DeliveryError } from '../../core/errors.js';
import { truncate } from '../../core/format.js';
import type { Notifier } from '../../app/ports.js';
import { slackMessage, type SlackMessage } from '../slack/slack-message.js';
import { escapeSlackText } from '../sns/chatbot-message.js';

const SEVERITY_EMOJI: Record<Notification['severity'], string> = {
  OK: ':white_check_mark:',
  WARNING: ':warning:',
  ERROR: ':rotating_light:',
};

/** The webhook body: the headline with the severity, the text, and one context line. Every text
 * from the notification is escaped: a group named `<!channel>` must not ping the channel. */
export function slackBody(notification: Notification): SlackMessage {
  const headline = `${SEVERITY_EMOJI[notification.severity]} ${escapeSlackText(notification.subject)}`;
  const text = escapeSlackText(notification.text);
  const context = [`severity ${notification.severity}`, `cluster ${notification.cluster}`, `team ${notification.team}`, `incident ${notification.incidentId}`].map(
    escapeSlackText,
  );
  if (notification.dashboardUrl) context.push(`<${escapeSlackText(notification.dashboardUrl)}|dashboard>`);
  return slackMessage({ text: `${headline} (${notification.severity})\n${text}`, headline, body: text, context: [context.join(' · ')] });
}

export interface WebhookNotifierOptions {
  /** Per-request timeout (ms). */
  readonly timeoutMs?: number;
}

export function createWebhookNotifier(url: string, options: WebhookNotifierOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const target = new URL(url); // throws on a malformed URL at startup, not at the first alert
  return {
    async publish(notification: Notification): Promise<void> {
      let response: Response;
      try {
        response = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(slackBody(notification)),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new DeliveryError(`webhook ${target.origin}: could not post the alert for ${notification.group} (${reason}); check --webhook`, {
          cause: error,
          context: { group: notification.group, url: target.origin },
        });
      }
      const reply = await response.text().catch(() => '');
      if (!response.ok) {
        throw new DeliveryError(
          `webhook ${target.origin} answered ${response.status} ${truncate(reply.trim(), 200)} for the alert on ${notification.group}; check the webhook URL`,
          { context: { group: notification.group, status: response.status, url: target.origin } },
        );
      }
    },
  };
}
