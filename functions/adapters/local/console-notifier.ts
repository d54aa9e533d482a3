// Prints each notification as it would be sent: the subject line, then the plain-text body.
import type { Notification } from '../../core/notification.js';
import type { Notifier } from '../../app/ports.js';

export interface TextSink {
  write(text: string): void;
}

export function formatNotification(notification: Notification): string {
  const when = new Date(notification.at).toISOString();
  const body = notification.text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
  // Severity and kind up front, whatever the subject says: what SNS carries as message attributes.
  return `[alert ${when}] ${notification.severity} ${notification.kind}: ${notification.subject}\n${body}\n`;
}

export function createConsoleNotifier(out: TextSink): Notifier & { readonly sent: readonly Notification[] } {
  const sent: Notification[] = [];
  return {
    sent,
    async publish(notification: Notification): Promise<void> {
      out.write(formatNotification(notification));
      sent.push(notification);
    },
  };
}

/** Hands each notification to every notifier in turn; the first failure is thrown after all tried. */
export function fanOutNotifier(notifiers: readonly Notifier[]): Notifier {
  return {
    async publish(notification: Notification): Promise<void> {
      let failure: unknown = null;
      for (const notifier of notifiers) {
        try {
          await notifier.publish(notification);
        } catch (error) {
          failure ??= error;
        }
      }
      if (failure !== null) throw failure;
    },
  };
}
