// What an alert transition sends: the message types shared by the builder (alert-message.ts), the
// lifecycle (alert.ts), the stores' outbox and the notifiers. Kept apart so the builder and the
// lifecycle both import them without importing each other back.
import type { GroupStatus } from './types.js';

export const AlertKind = {
  Open: 'open',
  Repeat: 'repeat',
  Resolve: 'resolve',
  Gone: 'gone',
} as const;
export type AlertKind = (typeof AlertKind)[keyof typeof AlertKind];

export interface NotificationPartition {
  readonly topic: string;
  readonly partition: number;
  readonly status: string;
  /** Decimal string; null for "no commits". */
  readonly lag: string | null;
  readonly timeLagSeconds: number;
  /** The verdict rule that judged it (e.g. consumers-gone, data-loss). */
  readonly rule?: string;
}

/** One message to send, already shaped for a person. */
export interface Notification {
  readonly kind: AlertKind;
  readonly cluster: string;
  readonly group: string;
  readonly team: string;
  /** OK for resolve / gone messages. */
  readonly severity: Extract<GroupStatus, 'OK' | 'WARNING' | 'ERROR'>;
  readonly incidentId: string;
  readonly at: number;
  /** At most 100 characters (SNS email subject limit). */
  readonly subject: string;
  /** Plain-text body: what happened, the worst partitions, what it means, what to check. */
  readonly text: string;
  readonly worstPartitions: readonly NotificationPartition[];
  readonly dashboardUrl: string | null;
  /** The rule of the worst partition (open / repeat), e.g. `consumers-gone`; null otherwise. */
  readonly rule?: string | null;
  /** True for a page (§6.3): the opening message or an escalation to ERROR. Reminders, resolves and
   * "gone" are not pages. */
  readonly page?: boolean;
}
