// The Amazon Q Developer in chat applications (formerly AWS Chatbot) custom-notification body, built
// from a core Notification. Schema: docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html
// (version "1.0", source "custom", content.textType "client-markdown"). Rendered texts are escaped
// for Slack (escapeSlackText); additionalContext and keywords are data, kept as they are.
import type { Notification } from '../../core/notification.js';
import { truncate } from '../../core/format.js';

export interface ChatbotNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    /** One chat thread per incident: open, repeats, resolve and gone land together. */
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: string;
    readonly relatedResources: readonly string[];
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

const ICON = { open: ':rotating_light:', repeat: ':warning:', resolve: ':white_check_mark:', gone: ':wave:' } as const;
const MAX_TITLE = 250;
const MAX_DESCRIPTION = 8000;

/**
 * Slack's three control characters, escaped as Slack documents (`&amp;` `&lt;` `&gt;`): Kafka names
 * are user input, and a group named `<!channel>` must not ping the channel. Every text a chat
 * client renders as markdown goes through it (Chatbot renders ours into Slack).
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function nextSteps(n: Notification): string[] {
  const steps: string[] = [];
  if (n.kind === 'open' || n.kind === 'repeat') {
    steps.push(`Check that the consumers of \`${n.group}\` are running and committing offsets.`);
    steps.push(`\`kafka-consumer-groups.sh --describe --group ${n.group}\` shows lag per partition.`);
  }
  if (n.dashboardUrl !== null) steps.push(`Dashboard: ${n.dashboardUrl}`);
  return steps.map(escapeSlackText);
}

export function toChatbotNotification(n: Notification): ChatbotNotification {
  const additionalContext: Record<string, string> = {
    cluster: n.cluster,
    group: n.group,
    team: n.team,
    severity: n.severity,
    kind: n.kind,
    incidentId: n.incidentId,
  };
  if (n.dashboardUrl !== null) additionalContext.dashboardUrl = n.dashboardUrl;
  return {
    version: '1.0',
    source: 'custom',
    id: `${n.incidentId}/${n.kind}/${n.at}`,
    content: {
      textType: 'client-markdown',
      title: truncate(`${ICON[n.kind]} ${escapeSlackText(n.subject)}`, MAX_TITLE),
      description: truncate(escapeSlackText(n.text), MAX_DESCRIPTION),
      nextSteps: nextSteps(n),
      keywords: [n.cluster, n.group, n.severity, n.kind],
    },
    metadata: {
      threadId: n.incidentId,
      summary: escapeSlackText(n.subject),
      eventType: `lagwatch.${n.kind}`,
      relatedResources: [],
      additionalContext,
    },
  };
}

/** True when `value` looks like a body toChatbotNotification produced (the Slack forwarder checks). */
export function isChatbotNotification(value: unknown): value is ChatbotNotification {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { version?: unknown; source?: unknown; content?: { title?: unknown } };
  return v.version === '1.0' && v.source === 'custom' && typeof v.content?.title === 'string';
}
