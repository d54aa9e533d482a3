// The alert lifecycle per group as a pure state transition (evaluation.md §4).
import type { GroupStatus } from './types.js';

export const AlertKind = {
  Open: 'open',
  Repeat: 'repeat',
  Resolve: 'resolve',
  Gone: 'gone',
} as const;
export type AlertKind = (typeof AlertKind)[keyof typeof AlertKind];

/** An open incident for one group. No state stored = no open incident. */
export interface AlertState {
  readonly cluster: string;
  readonly group: string;
  /** The group status last notified (WARNING or ERROR). */
  readonly status: GroupStatus;
  readonly incidentId: string;
  readonly team: string;
  /** When the incident opened (ms). */
  readonly since: number;
  /** When the last message for it was sent (ms). */
  readonly lastNotified: number;
  /** Optimistic-concurrency version, incremented by every write. */
  readonly version: number;
}

export interface NotificationPartition {
  readonly topic: string;
  readonly partition: number;
  readonly status: string;
  /** Decimal string; null for "no commits". */
  readonly lag: string | null;
  readonly timeLagSeconds: number;
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
}
