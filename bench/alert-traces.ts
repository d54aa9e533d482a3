// Seeded, labelled snapshot traces for bench:alerts (issue 9 item 4): every family of §6.4, several
// variants each, 3–6 h at a 60 s interval, 1–12 partitions. A small simulator produces messages
// (noisy rates), moves each consumer's committed offset by the family's behaviour, and records one
// GroupSnapshot per run with the §6.1 signals; each trace carries the incident windows a person
// would label (start = when the fault began, end = when the consumer had caught up again).
import type { PolicyConfigInput } from '../functions/config/policy.js';
import type { ClusterSnapshot, GroupSnapshot, GroupState, PartitionOffsets } from '../functions/core/types.js';

export const INTERVAL_MS = 60_000;
const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const HOUR = 3_600_000;

export interface LabelledIncident {
  readonly start: number;
  /** When the consumer had caught up again (or the trace end when it never did). */
  readonly end: number;
  /** True when the trace ends before the incident does: no resolve is expected. */
  readonly open: boolean;
  /** The least severity that should page for it. */
  readonly expected: 'WARNING' | 'ERROR';
  /** Benign (a deliberate reset that recovers, §6.4): a page inside it is not false, and no page is
   * not a miss; when it pages it must resolve. */
  readonly optional?: boolean;
}

/** A rule the verdict must show at the first snapshot at or after `at` (e.g. data-loss). */
export interface Milestone {
  readonly at: number;
  readonly rule: string;
}

export interface AlertTrace {
  readonly family: string;
  readonly variant: string;
  /** A healthy family: any page is a false page. */
  readonly healthy: boolean;
  readonly cluster: string;
  readonly group: string;
  readonly policy: PolicyConfigInput;
  /** One entry per collection run that happened (gaps are missing runs). */
  readonly runs: readonly ClusterSnapshot[];
  readonly incidents: readonly LabelledIncident[];
  readonly milestones: readonly Milestone[];
  readonly start: number;
  readonly end: number;
}

/** mulberry32: small, fast, and the same sequence on every machine for a seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const between = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng();
const intBetween = (rng: Rng, lo: number, hi: number): number => Math.floor(between(rng, lo, hi + 1));

interface Segment {
  readonly t0: number;
  readonly t1: number;
  readonly e0: number;
  readonly e1: number;
}

/** One partition: what was produced when (for record timestamps and retention), and the group's commit. */
export class SimPartition {
  logEnd: number;
  committed: number | null;
  logStart: number;
  /** Produced this step (for the keep-up jitter). */
  lastProduced = 0;
  private segments: Segment[] = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly baseRate: number,
    start: number,
    /** Messages already in the log (2 h of history at the base rate). */
    history = Math.round(baseRate * 120),
  ) {
    this.logStart = 1_000 + partition * 10_000;
    this.logEnd = this.logStart + history;
    this.committed = this.logEnd;
    this.segments.push({ t0: start - 2 * HOUR, t1: start, e0: this.logStart, e1: this.logEnd });
  }

  produce(t0: number, t1: number, n: number): void {
    this.lastProduced = n;
    if (n <= 0) return;
    this.segments.push({ t0, t1, e0: this.logEnd, e1: this.logEnd + n });
    this.logEnd += n;
  }

  /** The timestamp of the record at `offset` (produced evenly within its step). */
  recordTimestamp(offset: number): number | null {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.segments[mid]!;
      if (offset < s.e0) hi = mid - 1;
      else if (offset >= s.e1) lo = mid + 1;
      else return Math.round(s.t0 + ((offset - s.e0) / (s.e1 - s.e0)) * (s.t1 - s.t0));
    }
    return null;
  }

  /** Deletes what is older than the retention (log start moves up, whole steps at a time like segments). */
  applyRetention(now: number, retentionMs: number): void {
    while (this.segments.length > 0 && this.segments[0]!.t1 < now - retentionMs) {
      this.logStart = this.segments[0]!.e1;
      this.segments.shift();
    }
  }

  /** The topic was deleted and recreated: offsets start again from 0. */
  recreate(now: number): void {
    this.segments = [];
    this.logStart = 0;
    this.logEnd = 0;
    this.segments.push({ t0: now, t1: now, e0: 0, e1: 0 });
  }

  lag(): number {
    return this.committed === null ? 0 : Math.max(0, this.logEnd - this.committed);
  }

  /** Age (s) of the oldest unconsumed message at `now`, 0 when caught up. */
  trueTimeLagSeconds(now: number): number {
    if (this.committed === null || this.lag() === 0) return 0;
    const ts = this.recordTimestamp(this.committed);
    return ts === null ? 0 : Math.max(0, (now - ts) / 1000);
  }

  /** A healthy consumer: caught up but for the messages of the last few seconds. */
  keepUp(rng: Rng, share = 0.1): void {
    this.committed = this.logEnd - Math.floor(rng() * this.lastProduced * share);
  }

  /** A healthy consumer whose processing takes `seconds`: it has read everything older than that. */
  keepUpWithLatency(now: number, seconds: number): void {
    const target = now - seconds * 1000;
    let lo = this.logStart;
    let hi = this.logEnd;
    // The first offset produced after `target` (record timestamps grow with the offset).
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((this.recordTimestamp(mid) ?? now) <= target) lo = mid + 1;
      else hi = mid;
    }
    this.committed = Math.max(this.committed ?? 0, lo);
  }

  /** Reads up to `n` messages. */
  advance(n: number): void {
    if (this.committed === null) return;
    this.committed = Math.min(this.logEnd, this.committed + Math.max(0, Math.round(n)));
  }
}

interface StepContext {
  readonly rng: Rng;
  readonly step: number;
  readonly t: number;
  readonly parts: readonly SimPartition[];
  state: GroupState;
  members: number;
  /** The collector did not run this step (a collection gap). */
  skipRun: boolean;
  /** The group is not listed (not yet created, or deleted). */
  absent: boolean;
}

interface FamilySpec {
  readonly healthy: boolean;
  /** The variant's own parameters, for --verbose. */
  readonly detail?: string;
  readonly policy?: PolicyConfigInput;
  readonly partitions?: number;
  readonly rate?: (rng: Rng) => number;
  readonly noise?: number;
  readonly retentionMs?: number | null;
  /** Retention is applied but the collector could not read it (DescribeConfigs denied). */
  readonly retentionUnknown?: boolean;
  /** Called every step after production; moves the consumer and the group state. */
  readonly step: (ctx: StepContext) => void;
  /** Incidents from the behaviour's own timeline; `end` null = until caught up after `clearedAt`. */
  readonly incidents: () => { start: number; clearedAt: number | null; expected: 'WARNING' | 'ERROR'; end?: number; optional?: boolean }[];
  readonly milestones?: (parts: readonly SimPartition[], t: number) => Milestone | null;
  /** Per step production multiplier (bursts, diurnal swings, idle). */
  readonly produce?: (ctx: StepContext, p: SimPartition) => number;
}

const stepTime = (step: number): number => T0 + step * INTERVAL_MS;

function caughtUp(parts: readonly SimPartition[], t: number, allowedLag: number): boolean {
  return parts.every((p) => p.lag() <= allowedLag || p.trueTimeLagSeconds(t) * 1000 <= INTERVAL_MS);
}

// ---------------------------------------------------------------------------------------------
// Families. Each returns a FamilySpec for one seeded variant.

type Family = (rng: Rng, steps: number) => FamilySpec;

/** Half the healthy variants process with a real latency (5–45 s): a steady, non-zero time lag. */
function healthyConsumer(rng: Rng): { step: (c: StepContext) => void; detail: string } {
  const latency = rng() < 0.5 ? Math.round(between(rng, 5, 45)) : 0;
  return {
    detail: latency > 0 ? `latency ${latency} s` : 'keeps up',
    step: (c) => c.parts.forEach((p) => (latency > 0 ? p.keepUpWithLatency(c.t, latency) : p.keepUp(c.rng))),
  };
}

const healthySteady: Family = (rng) => {
  const consumer = healthyConsumer(rng);
  return { healthy: true, detail: consumer.detail, step: consumer.step, incidents: () => [] };
};

const burstsThatDrain: Family = (rng) => {
  const every = intBetween(rng, 25, 50);
  const length = intBetween(rng, 1, 3);
  const factor = between(rng, 3, 6);
  const drainMinutes = intBetween(rng, Math.max(length + 1, 3), 9);
  // Capacity sized so that burst + drain take drainMinutes in all: c = base + d·(m−1)·base / T.
  const capacity = 1 + (length * (factor - 1)) / drainMinutes;
  const inBurst = (step: number): boolean => step % every >= 5 && step % every < 5 + length;
  return {
    healthy: true,
    noise: 0.2,
    produce: (c, p) => p.baseRate * (inBurst(c.step) ? factor : 1),
    step: (c) =>
      c.parts.forEach((p) => {
        p.advance(p.baseRate * capacity * 1.15);
        if (p.lag() <= p.lastProduced * 0.1) p.keepUp(c.rng);
      }),
    incidents: () => [],
  };
};

const diurnalSwings: Family = (rng) => {
  const period = between(rng, 1, 3) * HOUR;
  const amplitude = between(rng, 0.5, 0.85);
  const consumer = healthyConsumer(rng);
  return {
    healthy: true,
    noise: 0.2,
    detail: consumer.detail,
    produce: (c, p) => p.baseRate * (1 + amplitude * Math.sin((2 * Math.PI * (c.t - T0)) / period)),
    step: consumer.step,
    incidents: () => [],
  };
};

const idleTopics: Family = (rng) => {
  const chance = between(rng, 0.01, 0.06);
  return {
    healthy: true,
    rate: () => 0,
    produce: (c) => (c.rng() < chance ? intBetween(c.rng, 1, 3) : 0),
    // Read within seconds: a snapshot sees the message only when it arrived just before it.
    step: (c) => c.parts.forEach((p) => (p.lastProduced > 0 && c.rng() < 0.1 ? undefined : (p.committed = p.logEnd))),
    incidents: () => [],
  };
};

const transactionalWithinAllowedLag: Family = () => ({
  healthy: true,
  policy: { defaults: { allowedLag: 1 } },
  // The commit marker leaves a lag of exactly 1 once caught up.
  step: (c) => c.parts.forEach((p) => (p.committed = p.logEnd - 1)),
  incidents: () => [],
});

const rebalancesAndDeploys: Family = (rng) => {
  const every = intBetween(rng, 20, 45);
  const pause = intBetween(rng, 1, 3);
  const stableWhilePaused = rng() < 0.5; // rolling deploy: the snapshot sees Stable during the pause
  return {
    healthy: true,
    step: (c) => {
      const phase = c.step % every;
      const paused = phase >= 10 && phase < 10 + pause;
      if (paused) {
        c.state = stableWhilePaused && phase > 10 ? 'Stable' : c.rng() < 0.5 ? 'PreparingRebalance' : 'CompletingRebalance';
        c.members = Math.max(1, c.members - 1);
        return;
      }
      c.parts.forEach((p) => {
        p.advance(p.baseRate * 4);
        if (p.lag() <= p.lastProduced * 0.1) p.keepUp(c.rng);
      });
    },
    incidents: () => [],
  };
};

const steadySmallLag: Family = (rng) => {
  const lag = intBetween(rng, 1, 5);
  return {
    healthy: true,
    rate: (r) => between(r, 5, 2_000),
    // Commits a few records behind, always: lag constant, time lag about 0.
    step: (c) => c.parts.forEach((p) => (p.committed = p.logEnd - lag)),
    incidents: () => [],
  };
};

const freshGroups: Family = (rng, steps) => {
  const appears = intBetween(rng, 20, Math.min(120, steps - 60));
  const backlog = rng() < 0.5 ? between(rng, 2, 5) : 0;
  let started = false;
  return {
    healthy: true,
    step: (c) => {
      c.absent = c.step < appears;
      if (c.absent) return;
      c.parts.forEach((p) => {
        if (!started) p.committed = p.logEnd - Math.round(p.baseRate * backlog);
        else {
          p.advance(p.baseRate * 2);
          if (p.lag() <= p.lastProduced * 0.1) p.keepUp(c.rng);
        }
      });
      started = true;
    },
    incidents: () => [],
  };
};

const recreatedTopicConsumerResets: Family = (rng, steps) => {
  const at = intBetween(rng, 40, steps - 60);
  return {
    healthy: true,
    step: (c) => {
      if (c.step === at) {
        // Deleted and recreated between snapshots; the consumer still holds its old offset once.
        c.parts.forEach((p) => {
          const old = p.committed;
          p.recreate(c.t - INTERVAL_MS / 2);
          p.produce(c.t - INTERVAL_MS / 2, c.t, Math.round(p.baseRate / 2));
          p.committed = old;
        });
        c.state = 'PreparingRebalance';
        return;
      }
      if (c.step === at + 1) c.parts.forEach((p) => (p.committed = 0));
      c.parts.forEach((p) => {
        p.advance(p.baseRate * 3);
        if (p.lag() <= p.lastProduced * 0.1) p.keepUp(c.rng);
      });
    },
    incidents: () => [],
  };
};

/** A fault window [from, until) during which `broken` runs instead of the healthy consumer; after
 * it, the consumer catches up at `catchUp`× the base rate. */
function faulty(
  rng: Rng,
  steps: number,
  options: {
    expected: 'WARNING' | 'ERROR';
    minutes: [number, number];
    /** The fault never clears in some variants (the incident stays open to the end). */
    neverClears?: number;
    broken: (c: StepContext, from: number) => void;
    catchUp?: number;
    healthy?: FamilySpec['step'];
    extra?: Partial<FamilySpec>;
  },
): FamilySpec {
  const from = intBetween(rng, 30, Math.max(31, steps - 120));
  const until = rng() < (options.neverClears ?? 0) ? steps + 1 : Math.min(steps - 30, from + intBetween(rng, ...options.minutes));
  const catchUp = options.catchUp ?? 3;
  const healthy =
    options.healthy ??
    ((c: StepContext) =>
      c.parts.forEach((p) => {
        p.advance(p.baseRate * catchUp);
        if (p.lag() <= p.lastProduced * 0.1) p.keepUp(c.rng);
      }));
  return {
    healthy: false,
    ...options.extra,
    step: (c) => (c.step >= from && c.step < until ? options.broken(c, from) : healthy(c)),
    incidents: () => [{ start: stepTime(from) - INTERVAL_MS / 2, clearedAt: until > steps ? null : stepTime(until), expected: options.expected }],
  };
}

const consumersGone: Family = (rng, steps) => {
  const gap = rng() < 0.4 ? { at: intBetween(rng, 8, 15), length: intBetween(rng, 5, 15) } : null;
  return faulty(rng, steps, {
    expected: 'ERROR',
    minutes: [gap ? 35 : 10, 90],
    neverClears: 0.2,
    broken: (c, from) => {
      c.state = 'Empty';
      c.members = 0;
      // A collector outage during the incident: no run records for a while.
      if (gap && c.step - from >= gap.at && c.step - from < gap.at + gap.length) c.skipRun = true;
    },
  });
};

/** Kafka 4 consumer-protocol groups: DescribeGroups cannot tell their state, so only §2's timing
 * can see the consumers leave (evaluation.md §3): slower by design, measured here. */
const consumersGoneStateUnknown: Family = (rng, steps) => {
  const spec = faulty(rng, steps, {
    expected: 'ERROR',
    minutes: [20, 60],
    broken: () => undefined,
  });
  return { ...spec, step: (c) => ((c.state = 'Unknown'), (c.members = 0), spec.step(c)) };
};

/** Healthy traffic with the collector down now and then (5–15 min without runs). */
const collectorGaps: Family = (rng, steps) => {
  const gaps = Array.from({ length: 3 }, () => ({ at: intBetween(rng, 20, steps - 20), length: intBetween(rng, 5, 15) }));
  const consumer = healthyConsumer(rng);
  return {
    healthy: true,
    detail: consumer.detail,
    step: (c) => {
      c.skipRun = gaps.some((g) => c.step >= g.at && c.step < g.at + g.length);
      consumer.step(c);
    },
    incidents: () => [],
  };
};

const onePartitionStuck: Family = (rng, steps) => {
  const stuck = 0;
  return faulty(rng, steps, {
    expected: 'ERROR',
    minutes: [10, 60],
    broken: (c) =>
      c.parts.forEach((p, i) => {
        if (i !== stuck) p.keepUp(c.rng);
      }),
  });
};

const slowConsumer: Family = (rng, steps) => {
  const share = between(rng, 0.5, 0.95);
  // Either it keeps a share of whatever arrives, or it has a fixed capacity below the mean rate
  // (then the ±40 % produce noise makes the lag go down some minutes: no monotone window).
  const capacityBound = rng() < 0.5;
  return faulty(rng, steps, {
    expected: 'WARNING',
    minutes: [60, 75],
    catchUp: 2,
    extra: { noise: 0.4, detail: `${capacityBound ? 'capacity' : 'share'} ${Math.round(share * 100)} %` },
    broken: (c) =>
      c.parts.forEach((p) => p.advance(capacityBound ? p.baseRate * share : p.lastProduced * share * between(c.rng, 0.97, 1.03))),
  });
};

const goneOnIdleThenMessages: Family = (rng, steps) => {
  const gone = intBetween(rng, 30, 60);
  const arrive = gone + intBetween(rng, 20, 60);
  const back = Math.min(steps - 30, arrive + intBetween(rng, 15, 45));
  return {
    healthy: false,
    rate: () => 0,
    produce: (c, p) => (c.step >= arrive ? Math.max(1, p.partition + 20) : 0),
    step: (c) => {
      if (c.step >= gone && c.step < back) {
        c.state = 'Empty';
        c.members = 0;
        return;
      }
      c.parts.forEach((p) => {
        p.advance(200);
        if (p.lag() <= p.lastProduced * 0.1) p.keepUp(c.rng);
      });
    },
    incidents: () => [{ start: stepTime(arrive) - INTERVAL_MS / 2, clearedAt: stepTime(back), expected: 'ERROR' }],
  };
};

const deliberateResetRecovers: Family = (rng, steps) => {
  const at = intBetween(rng, 30, steps - 90);
  const minutesBack = between(rng, 5, 40);
  const speed = between(rng, 3, 6);
  return {
    healthy: false,
    step: (c) => {
      if (c.step === at) c.parts.forEach((p) => (p.committed = Math.max(p.logStart, (p.committed ?? 0) - Math.round(p.baseRate * minutesBack))));
      else
        c.parts.forEach((p) => {
          p.advance(p.baseRate * speed);
          if (p.lag() <= p.lastProduced * 0.1) p.keepUp(c.rng);
        });
    },
    // Re-reading may page at WARNING (one page, one resolve) but need not; it ends when caught up.
    incidents: () => [{ start: stepTime(at) - INTERVAL_MS / 2, clearedAt: stepTime(at + 1), expected: 'WARNING', optional: true }],
  };
};

const crashLoop: Family = (rng, steps) => {
  const every = intBetween(rng, 2, 5);
  let restartFrom: number[] | null = null;
  return faulty(rng, steps, {
    expected: 'ERROR',
    minutes: [20, 60],
    catchUp: 4,
    broken: (c, from) => {
      restartFrom ??= c.parts.map((p) => Math.max(p.logStart, (p.committed ?? 0) - Math.round(p.baseRate * 15)));
      const phase = (c.step - from) % every;
      c.parts.forEach((p, i) => {
        if (phase === 0) p.committed = restartFrom![i]!;
        else p.advance(p.baseRate * 2);
      });
    },
  });
};

const resetToEarliest: Family = (rng, steps) => {
  const at = intBetween(rng, 20, 40);
  const speed = between(rng, 3, 4);
  return {
    healthy: false,
    step: (c) => {
      if (c.step === at) c.parts.forEach((p) => (p.committed = p.logStart));
      else
        c.parts.forEach((p) => {
          p.advance(p.baseRate * speed);
          if (p.lag() <= p.lastProduced * 0.1) p.keepUp(c.rng);
        });
    },
    incidents: () => [{ start: stepTime(at) - INTERVAL_MS / 2, clearedAt: stepTime(at + 1), expected: 'WARNING' }],
  };
  void steps;
};

const groupDeleted: Family = (rng, steps) => {
  const stop = intBetween(rng, 30, steps - 90);
  const deleted = stop + intBetween(rng, 5, 30);
  const idle = rng() < 0.3; // caught up on an idle topic when it left: nothing to page
  return {
    healthy: idle,
    rate: idle ? () => 0 : undefined,
    step: (c) => {
      if (c.step >= deleted) {
        c.absent = true;
        return;
      }
      if (c.step >= stop) {
        c.state = 'Empty';
        c.members = 0;
        return;
      }
      c.parts.forEach((p) => p.keepUp(c.rng));
    },
    incidents: () => (idle ? [] : [{ start: stepTime(stop) - INTERVAL_MS / 2, clearedAt: null, end: stepTime(deleted), expected: 'ERROR' }]),
  };
};

const recreatedTopicConsumerDies: Family = (rng, steps) => {
  const withMembers = rng() < 0.5; // alive but never resetting, or gone
  let old: (number | null)[] = [];
  return faulty(rng, steps, {
    expected: 'ERROR',
    minutes: [30, 60],
    broken: (c, from) => {
      if (c.step === from) {
        old = c.parts.map((p) => p.committed);
        c.parts.forEach((p) => {
          p.recreate(c.t - INTERVAL_MS / 2);
          p.produce(c.t - INTERVAL_MS / 2, c.t, Math.round(p.baseRate / 2));
        });
      }
      c.parts.forEach((p, i) => (p.committed = old[i] ?? p.committed));
      if (!withMembers) {
        c.state = 'Empty';
        c.members = 0;
      }
    },
    // Fixed by a reset to earliest on the new topic.
    healthy: (c) =>
      c.parts.forEach((p) => {
        if (p.committed !== null && p.committed > p.logEnd) p.committed = 0;
        p.advance(p.baseRate * 3);
        if (p.lag() <= p.lastProduced * 0.1) p.keepUp(c.rng);
      }),
  });
};

const lagPastRetention: Family = (rng, steps) => {
  const retentionMs = intBetween(rng, 20, 60) * 60_000;
  const stuck = rng() < 0.4; // stuck with members, or slow
  const share = between(rng, 0.1, 0.4);
  const retentionKnown = rng() < 0.75;
  let lossSeen = false;
  const spec = faulty(rng, steps, {
    expected: stuck ? 'ERROR' : 'WARNING',
    minutes: [600, 600],
    neverClears: 1,
    broken: (c) => {
      c.parts.forEach((p) => {
        if (!stuck) {
          if (p.committed !== null && p.committed < p.logStart && c.rng() < 0.5) p.committed = p.logStart;
          else p.advance(p.lastProduced * share);
        }
        // A consumer whose offset fell below the log start jumps to it (auto.offset.reset=earliest)
        // only on its next fetch: the snapshot in between shows the loss.
        else if (p.committed !== null && p.committed < p.logStart && c.rng() < 0.2) p.committed = p.logStart;
      });
    },
  });
  return {
    ...spec,
    retentionMs,
    retentionUnknown: !retentionKnown,
    milestones: (parts, t) => {
      if (lossSeen || !parts.some((p) => p.committed !== null && p.committed < p.logStart)) return null;
      lossSeen = true;
      return { at: t, rule: 'data-loss' };
    },
  };
};

export const FAMILIES: readonly { readonly name: string; readonly build: Family }[] = [
  { name: 'healthy-steady', build: healthySteady },
  { name: 'bursts-that-drain', build: burstsThatDrain },
  { name: 'diurnal-swings', build: diurnalSwings },
  { name: 'idle-topics', build: idleTopics },
  { name: 'transactional-allowed-lag', build: transactionalWithinAllowedLag },
  { name: 'rebalances-deploys', build: rebalancesAndDeploys },
  { name: 'steady-small-lag', build: steadySmallLag },
  { name: 'fresh-groups', build: freshGroups },
  { name: 'recreated-topic-reset', build: recreatedTopicConsumerResets },
  { name: 'collector-gaps', build: collectorGaps },
  { name: 'consumers-gone', build: consumersGone },
  { name: 'partition-stuck', build: onePartitionStuck },
  { name: 'slow-consumer', build: slowConsumer },
  { name: 'gone-idle-then-messages', build: goneOnIdleThenMessages },
  { name: 'reset-recovers', build: deliberateResetRecovers },
  { name: 'crash-loop', build: crashLoop },
  { name: 'reset-to-earliest', build: resetToEarliest },
  { name: 'group-deleted', build: groupDeleted },
  { name: 'recreated-topic-dies', build: recreatedTopicConsumerDies },
  { name: 'lag-past-retention', build: lagPastRetention },
  { name: 'gone-state-unknown', build: consumersGoneStateUnknown },
];

/** Builds one trace: `seed` picks every random choice (duration, partitions, rates, timings). */
export function generateTrace(familyName: string, seed: number): AlertTrace {
  const family = FAMILIES.find((f) => f.name === familyName);
  if (family === undefined) throw new Error(`unknown trace family ${familyName}`);
  const rng = seeded(seed);
  const steps = intBetween(rng, 180, 360);
  const partitionCount = intBetween(rng, 1, 12);
  const exactTimestamps = rng() < 0.5;
  const assignmentsKnown = rng() < 0.7;
  const spec = family.build(rng, steps);
  const rateOf = spec.rate ?? ((r: Rng) => Math.round(between(r, 20, 3_000)));
  const topics = ['orders', 'payments', 'events'].slice(0, 1 + Math.floor(rng() * 2));
  const parts = Array.from({ length: partitionCount }, (_, i) => new SimPartition(topics[i % topics.length]!, i, rateOf(rng), T0));
  const noise = spec.noise ?? 0.4;
  const allowedLag = Number((spec.policy?.defaults as { allowedLag?: number } | undefined)?.allowedLag ?? 0);
  const cluster = `${familyName}-${seed}`;
  const group = `${familyName}-consumer`;
  const runs: ClusterSnapshot[] = [];
  const milestones: Milestone[] = [];
  const truthCaughtUp: boolean[] = [];

  for (let step = 0; step < steps; step++) {
    const t = stepTime(step);
    const ctx: StepContext = { rng, step, t, parts, state: 'Stable', members: Math.max(1, Math.min(partitionCount, 3)), skipRun: false, absent: false };
    for (const p of parts) {
      const mean = spec.produce ? spec.produce(ctx, p) : p.baseRate;
      const n = Math.max(0, Math.round(mean * (1 + noise * (2 * rng() - 1))));
      p.produce(t - INTERVAL_MS, t, mean === 0 ? 0 : n);
      if (spec.retentionMs != null) p.applyRetention(t, spec.retentionMs);
    }
    spec.step(ctx);
    truthCaughtUp.push(caughtUp(parts, t, allowedLag));
    const milestone = spec.milestones?.(parts, t);
    if (milestone) milestones.push(milestone);
    if (ctx.skipRun) continue;
    const groups: GroupSnapshot[] = ctx.absent ? [] : [snapshotOf(ctx, cluster, group, parts, { exactTimestamps, assignmentsKnown, retentionMs: spec.retentionUnknown ? null : spec.retentionMs, allowedLag })];
    runs.push({ cluster, timestamp: t, groups, failures: [], listedGroups: groups.map((g) => g.group) });
  }

  const end = stepTime(steps - 1);
  const incidents = spec.incidents().map((i): LabelledIncident => {
    const label = { start: i.start, expected: i.expected, ...(i.optional ? { optional: true } : {}) };
    if (i.end !== undefined) return { ...label, end: i.end, open: false };
    if (i.clearedAt === null) return { ...label, end, open: true };
    // Recovered = the first snapshot from the clearing on at which every partition has caught up.
    const from = Math.round((i.clearedAt - T0) / INTERVAL_MS);
    const at = truthCaughtUp.findIndex((ok, s) => s >= from && ok);
    return at < 0 ? { ...label, end, open: true } : { ...label, end: stepTime(at), open: false };
  });
  return {
    family: familyName,
    variant: `seed ${seed}: ${steps} min, ${partitionCount} partition${partitionCount === 1 ? '' : 's'}${exactTimestamps ? ', exact time lag' : ''}${spec.detail ? `, ${spec.detail}` : ''}`,
    healthy: spec.healthy,
    cluster,
    group,
    policy: spec.policy ?? {},
    runs,
    incidents,
    milestones,
    start: T0,
    end,
  };
}

function snapshotOf(
  ctx: StepContext,
  cluster: string,
  group: string,
  parts: readonly SimPartition[],
  options: { exactTimestamps: boolean; assignmentsKnown: boolean; retentionMs: number | null | undefined; allowedLag: number },
): GroupSnapshot {
  const live = ctx.state !== 'Empty' && ctx.state !== 'Dead';
  const assignments: Record<string, number[]> = {};
  for (const p of parts) (assignments[p.topic] ??= []).push(p.partition);
  return {
    cluster,
    group,
    timestamp: ctx.t,
    state: ctx.state,
    members: live ? ctx.members : 0,
    assignments: options.assignmentsKnown && live ? assignments : null,
    partitions: parts.map((p): PartitionOffsets => {
      const lagging = p.committed !== null && p.logEnd - p.committed > options.allowedLag;
      const ts = options.exactTimestamps && lagging && p.committed! < p.logEnd ? p.recordTimestamp(p.committed!) : null;
      return {
        topic: p.topic,
        partition: p.partition,
        committedOffset: p.committed === null ? null : BigInt(p.committed),
        logEndOffset: BigInt(p.logEnd),
        logStartOffset: BigInt(p.logStart),
        retentionMs: options.retentionMs === undefined ? -1 : options.retentionMs,
        ...(ts === null ? {} : { committedRecordTimestamp: ts }),
      };
    }),
  };
}

/** The corpus: every family, `variants` seeds each. */
export function generateCorpus(variants: number, firstSeed = 1): AlertTrace[] {
  const traces: AlertTrace[] = [];
  FAMILIES.forEach((family, f) => {
    for (let v = 0; v < variants; v++) traces.push(generateTrace(family.name, firstSeed + f * 1_000 + v));
  });
  return traces;
}
