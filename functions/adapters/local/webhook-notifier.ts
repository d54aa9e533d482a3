// Posts notifications to a Slack-compatible incoming webhook: `{ text, blocks }`.
import type { Notification } from '../../core/notification.js';
import { DeliveryError } from '../../core/errors.js';
import type { Notifier } from '../../app/ports.js';

const SEVERITY_EMOJI: Record<Notification['severity'], string> = {
  OK: ':white_check_mark:',
  WARNING: ':warning:',
  ERROR: ':rotating_light:',
};

/** Slack's section text limit is 3,000 characters. */
const SECTION_LIMIT = 3000;

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

export interface SlackBody {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

export function slackBody(notification: Notification): SlackBody {
  const headline = `${SEVERITY_EMOJI[notification.severity]} ${notification.subject}`;
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`*${headline}*`, SECTION_LIMIT) } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`\`\`\`${notification.text}\`\`\``, SECTION_LIMIT) } },
  ];
  const context = [`severity ${notification.severity}`, `cluster ${notification.cluster}`, `team ${notification.team}`, `incident ${notification.incidentId}`];
  if (notification.dashboardUrl) context.push(`<${notification.dashboardUrl}|dashboard>`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  return { text: `${headline} (${notification.severity})\n${notification.text}`, blocks };
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
