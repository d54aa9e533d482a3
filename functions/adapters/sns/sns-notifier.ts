// Notifier on SNS: one Publish per transition. MessageStructure 'json' gives each protocol its body:
// email and other text subscribers get the plain text, HTTP(S) (Chatbot) and Lambda (the Slack
// forwarder) get the custom-notification JSON. Message attributes let filter policies route per team.
import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import type { Notifier } from '../../app/ports.js';
import type { Notification } from '../../core/notification.js';
import { DeliveryError, errorSummary } from '../../core/errors.js';
import { toChatbotNotification } from './chatbot-message.js';

/** The message attributes every alert carries (String), for subscription filter policies. */
export const MESSAGE_ATTRIBUTE = {
  cluster: 'cluster',
  group: 'group',
  team: 'team',
  severity: 'severity',
  kind: 'kind',
} as const;

const SUBJECT_MAX = 100;

/** SNS subjects must be ASCII, start with a letter, digit or punctuation, no line breaks, <= 100 chars. */
export function snsSubject(subject: string): string {
  const ascii = subject.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();
  const cut = ascii.length > SUBJECT_MAX ? `${ascii.slice(0, SUBJECT_MAX - 3)}...` : ascii;
  return cut === '' ? 'lagwatch alert' : cut;
}

function attribute(value: string): MessageAttributeValue {
  // SNS rejects empty attribute values.
  return { DataType: 'String', StringValue: value === '' ? '-' : value };
}

/** The SNS Publish body: one entry per protocol (MessageStructure 'json'). */
export function snsMessageBody(n: Notification): string {
  const chatbot = JSON.stringify(toChatbotNotification(n));
  return JSON.stringify({ default: n.text, email: n.text, http: chatbot, https: chatbot, lambda: chatbot });
}

export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly options: { topicArn: string },
  ) {}

  async publish(n: Notification): Promise<void> {
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.options.topicArn,
          Subject: snsSubject(n.subject),
          Message: snsMessageBody(n),
          MessageStructure: 'json',
          MessageAttributes: {
            [MESSAGE_ATTRIBUTE.cluster]: attribute(n.cluster),
            [MESSAGE_ATTRIBUTE.group]: attribute(n.group),
            [MESSAGE_ATTRIBUTE.team]: attribute(n.team),
            [MESSAGE_ATTRIBUTE.severity]: attribute(n.severity),
            [MESSAGE_ATTRIBUTE.kind]: attribute(n.kind),
          },
        }),
      );
    } catch (error) {
      throw new DeliveryError(
        `SNS topic ${this.options.topicArn}: could not publish the ${n.kind} alert of group ${n.group} on cluster ${n.cluster} (${errorSummary(error)}); ` +
          'it will be sent on the next run — check the topic exists and the evaluator role may sns:Publish to it',
        { cause: error, context: { topicArn: this.options.topicArn, group: n.group, cluster: n.cluster, kind: n.kind } },
      );
    }
  }
}
