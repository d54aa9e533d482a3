// Local mode's loop over the real app functions and the file store, fed by a scripted collector:
// a consumer that stops is ERROR once the window has turned over, the alert opens once, a restart
// keeps the window, and the backtest replays the stored history under other policies.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConsoleNotifier } from '../../functions/adapters/local/console-notifier.js';
import { FileStore } from '../../functions/adapters/local/file-store.js';
import { MemoryMetricsSink } from '../../functions/adapters/local/memory-metrics.js';
import type { OffsetCollector } from '../../functions/app/ports.js';
import { CollectorError } from '../../functions/core/errors.js';
import type { ClusterSnapshot } from '../../functions/core/types.js';
import { parsePolicyConfig } from '../../functions/config/policy.js';
import { inferInterval, runBacktest } from '../../functions/local/backtest.js';
import { createLineLogger } from '../../functions/local/local-mode.js';
import { nextBoundary, runLoop, runTick, type LocalPipelineDeps } from '../../functions/local/pipeline.js';
import { abortableSleep } from '../../functions/local/sleep.js';

const CLUSTER = 'local';
const INTERVAL = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % INTERVAL);

/** Two groups: `steady` keeps up; `quits` commits until tick 3, then stops while 10/tick keep arriving. */
function scriptedCollector(options: { failAt?: number } = {}): OffsetCollector & { calls: number } {
  const collector = {
    calls: 0,
    async collect(timestamp: number): Promise<ClusterSnapshot> {
      collector.calls++;
      const tick = Math.max(1, Math.floor((timestamp - T0) / INTERVAL) + 1);
      if (tick === options.failAt) throw new CollectorError('broker 127.0.0.1:1 unreachable');
      const logEnd = BigInt(tick * 10);
      const quitsCommitted = BigInt(Math.min(tick, 3) * 10);
      const groups = [
        { group: 'quits', committed: quitsCommitted, state: tick > 3 ? ('Empty' as const) : ('Stable' as const), members: tick > 3 ? 0 : 1 },
        { group: 'steady', committed: logEnd, state: 'Stable' as const, members: 1 },
      ].map((g) => ({
        cluster: CLUSTER,
        group: g.group,
        timestamp,
        state: g.state,
        members: g.members,
        partitions: [{ topic: 'orders', partition: 0, committedOffset: g.committed, logEndOffset: logEnd }],
      }));
      return { cluster: CLUSTER, timestamp, groups, failures: [], listedGroups: ['quits', 'steady'] };
    },
    async close(): Promise<void> {},
  };
  return collector;
}

let dir: string;
let printed: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lagwatch-pipeline-'));
  printed = '';
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function deps(store: FileStore, collector: OffsetCollector, now: { t: number }): Promise<LocalPipelineDeps> {
  return {
    cluster: CLUSTER,
    collector,
    store,
    notifier: createConsoleNotifier({ write: (t) => (printed += t) }),
    metrics: new MemoryMetricsSink(),
    logger: createLineLogger(() => undefined),
    clock: () => now.t,
    policy: parsePolicyConfig({ defaults: { windowSize: 5 } }),
    intervalMs: INTERVAL,
    dashboardUrl: null,
  };
}

describe('local pipeline', () => {
  it('turns a consumer that quit into STOPPED after the window turns over, alerting once; a restart keeps the window', async () => {
    const now = { t: T0 };
    let store = await FileStore.open(join(dir, 'store'));
    let d = await deps(store, scriptedCollector(), now);
    const statuses: string[] = [];
    for (let tick = 1; tick <= 12; tick++) {
      if (tick === 7) {
        // Restart mid-way: a new process opens the same folder and goes on.
        await store.close();
        store = await FileStore.open(join(dir, 'store'));
        d = await deps(store, scriptedCollector(), now);
      }
      now.t = T0 + (tick - 1) * INTERVAL;
      const result = await runTick(d, tick, now.t);
      const quits = result.evaluation.verdicts.find((v) => v.group === 'quits');
      statuses.push(`${quits?.status}/${quits?.partitions[0]?.status}`);
      expect(result.evaluation.verdicts.find((v) => v.group === 'steady')?.status).toBe('OK');
    }
    await store.close();
    // Ticks 1-3 commit (OK), then the window still holds the caught-up points; once they are gone, STOPPED.
    expect(statuses.slice(0, 3)).toEqual(['OK/OK', 'OK/OK', 'OK/OK']);
    expect(statuses.at(-1)).toBe('ERROR/STOPPED');
    expect(statuses.indexOf('ERROR/STOPPED')).toBeGreaterThan(3);
    expect(printed.match(/\[alert /g)?.length).toBe(1);
    expect(printed).toContain('quits');
  });

  it('keeps evaluating stored history when a collection fails, and reports the failure', async () => {
    const now = { t: T0 };
    const store = await FileStore.open(join(dir, 'store'));
    const d = await deps(store, scriptedCollector({ failAt: 2 }), now);
    await runTick(d, 1, T0);
    now.t = T0 + INTERVAL;
    const failed = await runTick(d, 2, T0 + INTERVAL);
    expect(failed.collectionError).toContain('unreachable');
    expect(failed.evaluation.verdicts.map((v) => v.group)).toEqual(['quits', 'steady']);
    expect((await store.latestRun(CLUSTER))?.timestamp).toBe(T0);
    await store.close();
  });

  it('runLoop runs the first tick at once, then ticks on interval boundaries, until aborted', async () => {
    const store = await FileStore.open(join(dir, 'store'));
    const collector = scriptedCollector();
    const controller = new AbortController();
    const seen: number[] = [];
    const d = { ...(await deps(store, collector, { t: 0 })), intervalMs: 20, clock: Date.now };
    const startedAt = Date.now();
    const ticks = await runLoop(d, {
      signal: controller.signal,
      onTick: (r) => {
        seen.push(r.scheduledAt);
        if (r.tick === 3) controller.abort();
      },
    });
    await store.close();
    expect(ticks).toBe(3);
    // The first is stamped when it ran (not snapped back to a boundary up to an interval early).
    expect(seen[0]).toBeGreaterThanOrEqual(startedAt);
    expect(seen.slice(1).every((t) => t % 20 === 0)).toBe(true);
    expect(new Set(seen).size).toBe(3);
    expect(nextBoundary(12_345, 1000)).toBe(13_000);
    expect(nextBoundary(12_000, 1000)).toBe(13_000);
    await abortableSleep(10_000, AbortSignal.abort()); // returns at once when already aborted
  });
});

describe('backtest', () => {
  async function recordHistory(): Promise<string> {
    const now = { t: T0 };
    const store = await FileStore.open(join(dir, 'store'));
    const d = await deps(store, scriptedCollector(), now);
    for (let tick = 1; tick <= 12; tick++) {
      now.t = T0 + (tick - 1) * INTERVAL;
      await runTick(d, tick, now.t);
    }
    await store.close();
    return join(dir, 'store');
  }

  it('replays the history chronologically with the same alerts as live', async () => {
    const path = await recordHistory();
    const store = await FileStore.open(path, { readOnly: true });
    expect(inferInterval(await store.readRuns(CLUSTER))).toBe(INTERVAL);
    const result = await runBacktest({
      store,
      cluster: CLUSTER,
      policy: parsePolicyConfig({ defaults: { windowSize: 5 } }),
      intervalMs: null,
      logger: createLineLogger(() => undefined),
    });
    expect(result.runs).toBe(12);
    expect(result.notifications.map((n) => `${n.kind}:${n.group}:${n.severity}`)).toEqual(['open:quits:ERROR']);
    const live = printed.match(/\[alert (\S+)\]/)?.[1];
    expect(new Date(result.notifications[0]!.at).toISOString()).toBe(live);
  });

  it('shows what a changed policy would have done: a large allowedLag never alerts, a longer emptyGraceSeconds alerts later', async () => {
    const path = await recordHistory();
    const store = await FileStore.open(path, { readOnly: true });
    const replay = (policy: unknown) =>
      runBacktest({ store, cluster: CLUSTER, policy: parsePolicyConfig(policy), intervalMs: null, logger: createLineLogger(() => undefined) });
    expect((await replay({ defaults: { windowSize: 5, allowedLag: 1000 } })).notifications).toEqual([]);
    // The window no longer sets how soon a gone consumer pages (consumers-gone, §6.2): the grace does.
    const small = await replay({ defaults: { windowSize: 5, emptyGraceSeconds: 60 } });
    const large = await replay({ defaults: { windowSize: 5, emptyGraceSeconds: 240 } });
    expect(small.notifications[0]!.at).toBeLessThan(large.notifications[0]!.at);
    // Only the runs in the range are replayed.
    const tail = await runBacktest({
      store,
      cluster: CLUSTER,
      policy: parsePolicyConfig({ defaults: { windowSize: 5 } }),
      intervalMs: null,
      from: T0 + 10 * INTERVAL,
      logger: createLineLogger(() => undefined),
    });
    expect(tail.runs).toBe(2);
  });
});
