// In-memory ports for the app-layer tests (test/unit/app-*.test.ts) and a recording logger the
// moto tests reuse. Deliberately simple: the DynamoDB adapters are tested against moto instead.
import type { AlertState } from '../../functions/core/alert.js';
import type { Notification } from '../../functions/core/notification.js';
import type { MetricDatum } from '../../functions/core/metrics.js';
import type { ClusterSnapshot, GroupSnapshot } from '../../functions/core/types.js';
import { mayWrite } from '../../functions/adapters/local/memory-alert-store.js';
import { MemorySnapshotStore } from '../../functions/adapters/local/memory-snapshot-store.js';
import type {
  AlertRecord,
  AlertStateStore,
  Logger,
  MetricsSink,
  Notifier,
  OffsetCollector,
} from '../../functions/app/ports.js';

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  info(message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, fields });
  }
  at(level: LogEntry['level']): LogEntry[] {
    return this.entries.filter((e) => e.level === level);
  }
}

/** The real in-memory store (functions/adapters/local/memory-snapshot-store.ts: idempotent on
 * (cluster, timestamp) like the file and DynamoDB stores, so a retried run shows as one run), plus
 * what the app tests look at: every readWindows call, and a read failure on demand. */
export class ObservedSnapshotStore extends MemorySnapshotStore {
  failReads = false;
  /** readWindows calls and their options, to check the evaluator reads once. */
  readonly reads: { cluster: string; limit: number; now: number; notBefore: number }[] = [];

  override async readWindows(cluster: string, o: { limit: number; now: number; notBefore: number }): Promise<Map<string, GroupSnapshot[]>> {
    this.reads.push({ cluster, ...o });
    if (this.failReads) throw new Error('injected read failure');
    return super.readWindows(cluster, o);
  }
}

export class MemoryAlertStore implements AlertStateStore {
  /** Every record, tombstones included, by `cluster/group`. */
  readonly records = new Map<string, AlertRecord>();
  /** Resolves list() only when this many callers are waiting (forces two runs to read the same state). */
  barrier: { parties: number; waiting: (() => void)[] } | null = null;

  /** The open incidents, by `cluster/group`. */
  get states(): Map<string, AlertState> {
    return new Map([...this.records].flatMap(([k, r]) => (r.state === null ? [] : [[k, r.state] as const])));
  }

  async list(cluster: string): Promise<AlertRecord[]> {
    const snapshot = [...this.records.values()].filter((r) => r.cluster === cluster);
    const barrier = this.barrier;
    if (barrier) {
      await new Promise<void>((resolve) => {
        barrier.waiting.push(resolve);
        if (barrier.waiting.length >= barrier.parties) for (const r of barrier.waiting) r();
      });
    }
    return snapshot;
  }
  /** Groups whose state writes throw (per-group isolation tests). */
  readonly failPutFor = new Set<string>();

  async write(next: AlertRecord, expectedRevision: number | null): Promise<boolean> {
    if (this.failPutFor.has(next.group)) throw new Error(`injected state write failure for ${next.group}`);
    const key = `${next.cluster}/${next.group}`;
    if (!mayWrite(this.records.get(key) ?? null, next, expectedRevision)) return false;
    this.records.set(key, next);
    return true;
  }
}

export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  failuresLeft = 0;
  async publish(notification: Notification): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('injected publish failure');
    }
    this.sent.push(notification);
  }
}

export class RecordingMetrics implements MetricsSink {
  readonly batches: MetricDatum[][] = [];
  async put(metrics: readonly MetricDatum[]): Promise<void> {
    this.batches.push([...metrics]);
  }
  all(): MetricDatum[] {
    return this.batches.flat();
  }
}

export class ScriptedCollector implements OffsetCollector {
  constructor(private readonly produce: (timestamp: number) => ClusterSnapshot) {}
  async collect(timestamp: number): Promise<ClusterSnapshot> {
    return this.produce(timestamp);
  }
  async close(): Promise<void> {}
}

export const MINUTE = 60_000;

/** A group whose consumers left (state Empty) with committed offset stuck while the log grows:
 * STOPPED once minimumSnapshots are in. `caughtUp` makes it lag 0 instead. */
export function stuckGroup(cluster: string, group: string, timestamp: number, options: { caughtUp?: boolean; topic?: string } = {}): GroupSnapshot {
  const logEnd = 100n + BigInt(Math.floor(timestamp / MINUTE)) * 10n;
  return {
    cluster,
    group,
    timestamp,
    state: 'Empty',
    members: 0,
    partitions: [
      { topic: options.topic ?? 'orders', partition: 0, committedOffset: options.caughtUp ? logEnd : 50n, logEndOffset: logEnd },
    ],
  };
}

export function clusterSnapshot(cluster: string, timestamp: number, groups: GroupSnapshot[], failed: string[] = []): ClusterSnapshot {
  return {
    cluster,
    timestamp,
    groups,
    failures: failed.map((group) => ({ group, error: 'injected' })),
    listedGroups: [...groups.map((g) => g.group), ...failed],
  };
}
