// The one Slack incoming-webhook body lagwatch posts, built here for both senders: the Slack
// forwarder Lambda (from the SNS message) and the local --webhook notifier (from the Notification).
// Callers hand in texts already escaped for Slack (escapeSlackText): Kafka names are user input.
import { truncate } from '../../core/format.js';

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/** Slack's limit for a section or context text. */
const SECTION_MAX = 3000;
/** Slack's limit of elements in one context block. */
const CONTEXT_MAX = 10;

/** A bold headline section, the body as a code block, and a context block when there is context. */
export function slackMessage(parts: { readonly text: string; readonly headline: string; readonly body: string; readonly context: readonly string[] }): SlackMessage {
  const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: truncate(text, SECTION_MAX) });
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: mrkdwn(`*${parts.headline}*`) },
    { type: 'section', text: mrkdwn('```' + parts.body + '```') },
  ];
  if (parts.context.length > 0) blocks.push({ type: 'context', elements: parts.context.slice(0, CONTEXT_MAX).map(mrkdwn) });
  return { text: parts.text, blocks };
}
