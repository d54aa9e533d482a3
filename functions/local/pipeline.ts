// Local mode's scheduler: collector then evaluator in-process every interval, with the same app
// functions the Lambdas call. Ticks are aligned to the interval; a tick missed by a slow machine is
// skipped rather than run late under a stale timestamp.
import { runCollection } from '../app/collect.js';
import { runEvaluation, type EvaluationResult } from '../app/evaluate.js';
import type { AlertStateStore, Logger, MetricsSink, Notifier, OffsetCollector, SnapshotStore } from '../app/ports.js';
import { CollectorError } from '../core/errors.js';
import type { PolicyConfig } from '../core/policy.js';
import { abortableSleep } from './sleep.js';

export interface LocalPipelineDeps {
  readonly cluster: string;
  readonly collector: OffsetCollector;
  readonly store: SnapshotStore & AlertStateStore;
  readonly notifier: Notifier;
  readonly metrics: MetricsSink;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly policy: PolicyConfig;
  readonly intervalMs: number;
  readonly dashboardUrl: string | null;
}

export interface TickResult {
  /** 1 for the first tick of this run. */
  readonly tick: number;
  readonly scheduledAt: number;
  /** null when the cluster could not be read this tick (the evaluator still ran on stored history). */
  readonly collectionError: string | null;
  readonly evaluation: EvaluationResult;
}

/**
 * One collect + evaluate cycle at `scheduledAt` (the snapshot id and the evaluator's `now`). With
 * `failFast`, a cluster that cannot be read throws instead (the first tick of `start --brokers`: a
 * wrong address should end the command, not be watched forever).
 */
export async function runTick(deps: LocalPipelineDeps, tick: number, scheduledAt: number, failFast = false): Promise<TickResult> {
  let collectionError: string | null = null;
  // runCollection logs its own failure before throwing; here the caller shows it instead (the view's
  // heading, or the command's one error line), so error lines are held and dropped on a failure.
  const held: (() => void)[] = [];
  const logger: Logger = { ...deps.logger, error: (message, fields) => void held.push(() => deps.logger.error(message, fields)) };
  try {
    await runCollection(
      { collector: deps.collector, store: deps.store, metrics: deps.metrics, logger, clock: deps.clock },
      { cluster: deps.cluster, scheduledAt },
    );
    for (const log of held) log();
  } catch (error) {
    // The cluster is unreachable this time: nothing stored; keep evaluating what we have.
    if (!(error instanceof CollectorError) || failFast) throw error;
    // No log line here: the caller shows it (the live view's heading), once per tick.
    collectionError = error.message;
  }
  const evaluation = await runEvaluation(
    {
      store: deps.store,
      alerts: deps.store,
      notifier: deps.notifier,
      metrics: deps.metrics,
      logger: deps.logger,
      clock: deps.clock,
      policy: deps.policy,
      snapshotIntervalMs: deps.intervalMs,
      dashboardUrl: deps.dashboardUrl,
    },
    { cluster: deps.cluster, now: scheduledAt },
  );
  return { tick, scheduledAt, collectionError, evaluation };
}

export interface LoopOptions {
  readonly signal: AbortSignal;
  /** Stop after the tick scheduled at or after this time (ms); undefined = until aborted. */
  readonly until?: number;
  readonly onTick: (result: TickResult) => void | Promise<void>;
  /** Called when a tick is skipped because the previous one overran. */
  readonly onSkip?: (skipped: number) => void;
  /** Throw when the first tick cannot read the cluster (see runTick). */
  readonly failFast?: boolean;
}

/** The first interval boundary after `now`: ticks after the first land on boundaries, so restarts
 * keep the same spacing as before. */
export function nextBoundary(now: number, intervalMs: number): number {
  return Math.floor(now / intervalMs) * intervalMs + intervalMs;
}

/** Runs ticks every `intervalMs` until aborted (or `until`). Returns the number of ticks run. */
export async function runLoop(deps: LocalPipelineDeps, options: LoopOptions): Promise<number> {
  const { intervalMs, clock } = deps;
  // The first snapshot at once, stamped with the time it is read; then on interval boundaries.
  let scheduledAt = clock();
  let tick = 0;
  while (!options.signal.aborted) {
    await abortableSleep(scheduledAt - clock(), options.signal);
    if (options.signal.aborted) break;
    tick++;
    const result = await runTick(deps, tick, scheduledAt, tick === 1 && options.failFast === true);
    await options.onTick(result);
    if (options.until !== undefined && scheduledAt >= options.until) break;
    let next = tick === 1 ? nextBoundary(scheduledAt, intervalMs) : scheduledAt + intervalMs;
    const late = clock() - next;
    if (late >= intervalMs) {
      // Overran by a whole interval or more: jump to the latest boundary instead of catching up.
      const skipped = Math.floor(late / intervalMs);
      next += skipped * intervalMs;
      options.onSkip?.(skipped);
    }
    scheduledAt = next;
  }
  return tick;
}
