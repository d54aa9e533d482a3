// The live demo's cast: five consumer groups acting out the cases lagwatch must tell apart, on a
// real broker with kafkajs. Phases advance on collection ticks (not wall time), so a slow machine
// only slows the demo down — each verdict still sees the same sequence of snapshots. Just over 300
// lines on purpose: the five actors share one Kafka client, one stop signal and the tick counter.
//
//   healthy  producer steady, consumer keeps up and commits every message          → OK
//   slow     producer 5x faster than a throttled consumer that commits every message → WARNING (lag grows)
//   stopped  consumer leaves the group after CHANGE_TICK; producer keeps going      → STOPPED (group Empty)
//   stuck    consumer stays in the group (heartbeats) but blocks on one record      → STALLED (members > 0)
//   rewound  every REWIND_EVERY ticks its offset is reset REWIND_BY back with
//            admin.setOffsets, then it reads slowly, never regaining the old offset → REWIND
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import type { Logger } from '../app/ports.js';
import { abortableSleep } from './sleep.js';

export const DEMO_SCENARIOS = ['healthy', 'slow', 'stopped', 'stuck', 'rewound'] as const;
export type DemoScenario = (typeof DEMO_SCENARIOS)[number];

/** What each scenario should look like once the window has filled after the change. */
export const DEMO_EXPECTED: Record<DemoScenario, { group: string; partition: string | null }> = {
  healthy: { group: 'OK', partition: null },
  slow: { group: 'WARNING', partition: 'WARNING' },
  stopped: { group: 'ERROR', partition: 'STOPPED' },
  stuck: { group: 'ERROR', partition: 'STALLED' },
  rewound: { group: 'ERROR', partition: 'REWIND' },
};

/** Ticks of normal behaviour before stopped/stuck/rewound change. */
export const CHANGE_TICK = 3;
/** rewound is reset again every this many ticks, so a drop is always inside a 10-snapshot window. */
export const REWIND_EVERY = 4;
/** How far each reset goes back; more than the slow re-read covers in REWIND_EVERY ticks. */
export const REWIND_BY = 100;
/** Records the rewound consumer re-reads per tick after a reset. */
const REWOUND_READS_PER_TICK = 4;
/** Records on the rewound topic before the demo starts (its group starts at their end), so resets never hit offset 0. */
const REWOUND_BACKLOG = 1000;

/**
 * Snapshots needed after the change before every verdict has settled: the stopped/stuck windows
 * must lose every point from before the change (window size + 1), plus one for good measure.
 */
export function ticksToSettle(windowSize: number): number {
  return CHANGE_TICK + windowSize + 2;
}

export interface DemoNames {
  readonly runId: string;
  readonly groups: Record<DemoScenario, string>;
  readonly topics: Record<DemoScenario, string>;
}

/** Group and topic names for one run: `<prefix>-<scenario>-<runId>`, so a reused broker starts clean. */
export function demoNames(prefix: string, runId: string): DemoNames {
  const groups = {} as Record<DemoScenario, string>;
  const topics = {} as Record<DemoScenario, string>;
  for (const s of DEMO_SCENARIOS) {
    groups[s] = `${prefix}-${s}-${runId}`;
    topics[s] = `${prefix}-${s}-${runId}-events`;
  }
  return { runId, groups, topics };
}

/** Which scenario a group name belongs to, or null. */
export function scenarioOf(names: DemoNames, group: string): DemoScenario | null {
  return DEMO_SCENARIOS.find((s) => names.groups[s] === group) ?? null;
}

interface ProducerLoop {
  readonly topic: string;
  readonly batch: number;
  readonly everyMs: number;
}

export interface DemoActorsOptions {
  readonly brokers: readonly string[];
  readonly names: DemoNames;
  /** Snapshot interval (ms): the rewound consumer's re-read pace is set from it. */
  readonly intervalMs: number;
  readonly logger: Logger;
}

export class DemoActors {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly consumers = new Map<DemoScenario, Consumer>();
  private readonly stop = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly names: DemoNames;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  /** Set after CHANGE_TICK: the stuck consumer's current record never finishes. */
  private stuck = false;
  private rewinding: Promise<void> = Promise.resolve();
  private started = false;

  constructor(options: DemoActorsOptions) {
    this.names = options.names;
    this.logger = options.logger;
    this.intervalMs = options.intervalMs;
    this.kafka = new Kafka({
      clientId: 'lagwatch-demo',
      brokers: [...options.brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 5 },
    });
    this.admin = this.kafka.admin();
    this.producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  }

  get groups(): readonly string[] {
    return DEMO_SCENARIOS.map((s) => this.names.groups[s]);
  }

  /** Creates the topics, fills the rewound backlog, starts producers and all five consumers, and
   * resolves once every consumer has joined its group. */
  async start(): Promise<void> {
    this.started = true;
    const { topics } = this.names;
    await this.admin.connect();
    // Not waitForLeaders: kafkajs bounds that wait by its retry budget (about 9 s), which a loaded
    // machine can outlast; waitForLeadership waits on a deadline and proves each leader serves.
    await this.admin.createTopics({
      waitForLeaders: false,
      topics: DEMO_SCENARIOS.map((s) => ({ topic: topics[s], numPartitions: s === 'healthy' ? 2 : 1, replicationFactor: 1 })),
    });
    await this.waitForLeadership(DEMO_SCENARIOS.map((s) => topics[s]));
    await this.producer.connect();
    await this.producer.send({
      topic: topics.rewound,
      messages: Array.from({ length: REWOUND_BACKLOG }, (_, i) => ({ value: `backlog ${i}` })),
    });
    // The rewound group starts at the end of its backlog, not at its beginning: read from offset 0
    // (a commit per record), a loaded machine could still be in the backlog at the first reset,
    // and resets from near 0 cannot go back 100 any more (the demo then ended OK, not REWIND).
    const [end] = await this.admin.fetchTopicOffsets(topics.rewound);
    await this.admin.setOffsets({ groupId: this.names.groups.rewound, topic: topics.rewound, partitions: [{ partition: 0, offset: end?.high ?? String(REWOUND_BACKLOG) }] });

    const producing: ProducerLoop[] = [
      { topic: topics.healthy, batch: 1, everyMs: 500 },
      // 10 records/s against a consumer that manages 2/s: lag grows ~8/s, every snapshot.
      { topic: topics.slow, batch: 5, everyMs: 500 },
      { topic: topics.stopped, batch: 1, everyMs: 500 },
      { topic: topics.stuck, batch: 1, everyMs: 500 },
      { topic: topics.rewound, batch: 1, everyMs: 1000 },
    ];
    for (const loop of producing) this.loops.push(this.produce(loop));

    await Promise.all([
      this.startConsumer('healthy', 0),
      this.startConsumer('slow', 500),
      this.startConsumer('stopped', 0),
      this.startConsumer('stuck', 0),
      this.startConsumer('rewound', 0),
    ]);
  }

  /**
   * Waits until every partition's leader serves it. Metadata naming a leader is not enough: on
   * KRaft the leader may still answer "This server does not host this topic-partition" for a
   * moment after, and a produce in that moment fails the demo. A ListOffsets answered by the
   * leader is the proof that it hosts the partition.
   */
  private async waitForLeadership(topics: readonly string[], timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const topic of topics) {
      for (;;) {
        try {
          const offsets = await this.admin.fetchTopicOffsets(topic);
          if (offsets.length > 0) break;
        } catch (error) {
          if (Date.now() > deadline || this.stop.signal.aborted) {
            throw new Error(`demo topic ${topic} has no serving leader after ${timeoutMs / 1000} s (${String(error)}); is the broker healthy?`, { cause: error });
          }
        }
        await abortableSleep(200, this.stop.signal);
      }
    }
  }

  private async produce(loop: ProducerLoop): Promise<void> {
    let n = 0;
    while (!this.stop.signal.aborted) {
      try {
        await this.producer.send({
          topic: loop.topic,
          messages: Array.from({ length: loop.batch }, () => ({ value: `event ${n++}` })),
        });
      } catch (error) {
        if (!this.stop.signal.aborted) this.logger.warn('demo producer send failed', { topic: loop.topic, error: String(error) });
      }
      await abortableSleep(loop.everyMs, this.stop.signal);
    }
  }

  /** Starts the scenario's consumer; `delayMs` per record throttles it. Resolves once it joined. */
  private async startConsumer(scenario: DemoScenario, delayMs: number): Promise<void> {
    const group = this.names.groups[scenario];
    const consumer = this.kafka.consumer({
      groupId: group,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 500,
    });
    this.consumers.set(scenario, consumer);
    let timer: NodeJS.Timeout | undefined;
    const joined = new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`demo consumer ${group} did not join its group within 60 s; is the broker healthy?`)),
        60_000,
      );
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    joined.catch(() => undefined); // awaited below; never an unhandled rejection if connect throws first
    try {
      await this.connectAndRun(consumer, scenario, delayMs);
      await joined;
    } finally {
      clearTimeout(timer);
    }
  }

  private async connectAndRun(consumer: Consumer, scenario: DemoScenario, delayMs: number): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topic: this.names.topics[scenario], fromBeginning: true });
    await consumer.run({
      // Commit after every record, so each snapshot sees the consumer's real position.
      autoCommitThreshold: 1,
      eachMessage: async ({ heartbeat }) => {
        if (scenario === 'stuck' && this.stuck) {
          // Stuck on this record: alive (heartbeating, still a member) but never finishing it.
          while (!this.stop.signal.aborted) {
            await heartbeat().catch(() => undefined);
            await abortableSleep(1000, this.stop.signal);
          }
          return;
        }
        if (delayMs > 0) await abortableSleep(delayMs, this.stop.signal);
      },
    });
  }

  /** Advances the scenarios after collection tick `tick` (1 = the first snapshot). */
  async onTick(tick: number): Promise<void> {
    if (this.stop.signal.aborted) return;
    if (tick === CHANGE_TICK) {
      this.stuck = true;
      await this.consumers.get('stopped')?.disconnect();
      this.consumers.delete('stopped');
      this.logger.info('demo: stopped consumer left its group, stuck consumer blocked on a record');
    }
    if (tick >= CHANGE_TICK && (tick - CHANGE_TICK) % REWIND_EVERY === 0) {
      // In the background: a rejoin can take seconds and must not delay the next snapshot.
      this.rewinding = this.rewinding
        .then(() => this.rewind())
        .catch((error: unknown) => this.logger.warn('demo: rewinding failed', { error: String(error) }));
    }
  }

  /** Stops the rewound consumer, resets its offset REWIND_BY back, restarts it slowly. */
  private async rewind(): Promise<void> {
    if (this.stop.signal.aborted) return;
    const { groups, topics } = this.names;
    const consumer = this.consumers.get('rewound');
    this.consumers.delete('rewound');
    await consumer?.disconnect();
    try {
      const [committed] = await this.admin.fetchOffsets({ groupId: groups.rewound, topics: [topics.rewound] });
      const current = BigInt(committed?.partitions[0]?.offset ?? '-1');
      const target = current > BigInt(REWIND_BY) ? current - BigInt(REWIND_BY) : 0n;
      // setOffsets needs an empty group; the LeaveGroup may take a moment to land.
      for (let attempt = 0; ; attempt++) {
        try {
          await this.admin.setOffsets({
            groupId: groups.rewound,
            topic: topics.rewound,
            partitions: [{ partition: 0, offset: target.toString() }],
          });
          break;
        } catch (error) {
          if (attempt >= 10 || this.stop.signal.aborted) throw error;
          await abortableSleep(500, this.stop.signal);
        }
      }
      this.logger.info('demo: rewound consumer reset', { group: groups.rewound, from: current.toString(), to: target.toString() });
    } finally {
      if (!this.stop.signal.aborted) {
        await this.startConsumer('rewound', Math.max(50, Math.floor(this.intervalMs / REWOUND_READS_PER_TICK)));
      }
    }
  }

  /** Stops producers and consumers and disconnects; safe to call twice and before start(). */
  async close(): Promise<void> {
    if (this.stop.signal.aborted) return;
    this.stop.abort();
    await this.rewinding.catch(() => undefined);
    await Promise.all(this.loops);
    await Promise.all([...this.consumers.values()].map((c) => c.disconnect().catch(() => undefined)));
    this.consumers.clear();
    if (this.started) {
      await this.producer.disconnect().catch(() => undefined);
      await this.admin.disconnect().catch(() => undefined);
    }
  }
}
