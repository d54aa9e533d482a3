// Local mode's helpers: the message when Java is missing, broker lists, cleanup order, the logger.
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError, parseBrokerList, positiveNumber } from '../../functions/local/cli-args.js';
import { Cleanup, createLineLogger, startDemoBroker } from '../../functions/local/local-mode.js';
import { CHANGE_TICK, DEMO_EXPECTED, DEMO_SCENARIOS, demoNames, scenarioOf, ticksToSettle } from '../../functions/local/demo-actors.js';
import { evaluateGroup } from '../../functions/core/group.js';
import { DEFAULT_POLICY } from '../../functions/core/policy.js';
import { checkDemoVerdicts, demoReport } from '../../functions/local/demo-report.js';
import type { GroupSnapshot, GroupVerdict, PartitionStatus } from '../../functions/core/types.js';
import { groupVerdict, partitionVerdict } from '../support/verdicts.js';

const PATH = process.env['PATH'];
afterEach(() => {
  process.env['PATH'] = PATH;
});

describe('startDemoBroker', () => {
  it('says what to install, or to use --brokers, when java is missing', async () => {
    process.env['PATH'] = '/nonexistent';
    const error = await startDemoBroker(() => undefined).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/'java' is not on PATH/);
    expect((error as Error).message).toContain('openjdk');
    expect((error as Error).message).toContain('--brokers');
  });
});

describe('argument helpers', () => {
  it('parses broker lists and names the flag on a bad one', () => {
    expect(parseBrokerList('127.0.0.1:9092, b:9093', '--brokers')).toEqual(['127.0.0.1:9092', 'b:9093']);
    expect(() => parseBrokerList('localhost', '--brokers')).toThrow(UsageError);
    expect(() => parseBrokerList(',', '--brokers')).toThrow(/--brokers expects HOST:PORT/);
  });

  it('checks numbers and ranges', () => {
    expect(positiveNumber(undefined, '--x')).toBeUndefined();
    expect(positiveNumber('2.5', '--x')).toBe(2.5);
    expect(() => positiveNumber('0', '--x')).toThrow(/--x expects a number greater than 0/);
    expect(() => positiveNumber('3.5', '--window', { integer: true, min: 2, max: 100 })).toThrow(/--window expects an integer between 2 and 100/);
  });
});

describe('Cleanup', () => {
  it('runs steps in reverse order, once, and reports failures without stopping', async () => {
    const order: string[] = [];
    const warnings: string[] = [];
    const cleanup = new Cleanup();
    cleanup.add('broker', async () => void order.push('broker'));
    cleanup.add('consumers', async () => {
      order.push('consumers');
      throw new Error('already gone');
    });
    cleanup.add('store', async () => void order.push('store'));
    await cleanup.run(createLineLogger((line) => warnings.push(line)));
    await cleanup.run(createLineLogger((line) => warnings.push(line)));
    expect(order).toEqual(['store', 'consumers', 'broker']);
    expect(warnings).toEqual(['[warn] could not stop consumers {"error":"already gone"}']);
  });

  it('the line logger drops entries below its level and prints bigints', () => {
    const lines: string[] = [];
    const logger = createLineLogger((l) => lines.push(l), 'warn');
    logger.info('hidden');
    logger.error('shown', { lag: 5n });
    expect(lines).toEqual(['[error] shown {"lag":"5"}']);
  });
});

describe('demo names and report', () => {
  const names = demoNames('demo', 'ab12cd');

  it('names groups after their scenario and the run, and maps back', () => {
    expect(names.groups.healthy).toBe('demo-healthy-ab12cd');
    for (const s of DEMO_SCENARIOS) expect(scenarioOf(names, names.groups[s])).toBe(s);
    expect(scenarioOf(names, 'other')).toBeNull();
  });

  // The stopped and stuck consumers commit every message until the change, and (worst case: a
  // commit on the way out) their last commit shows one snapshot after it; then it stands still.
  const INTERVAL = 60_000;
  function changed(kind: 'stopped' | 'stuck', ticks: number, windowSize: number): GroupVerdict {
    const snapshots: GroupSnapshot[] = [];
    for (let t = 1; t <= ticks; t++) {
      const gone = kind === 'stopped' && t > CHANGE_TICK;
      snapshots.push({
        cluster: 'demo', group: kind, timestamp: t * INTERVAL, state: gone ? 'Empty' : 'Stable', members: gone ? 0 : 1,
        partitions: [{ topic: kind, partition: 0, committedOffset: BigInt(100 * Math.min(t, CHANGE_TICK + 1)), logEndOffset: BigInt(100 * t) }],
      });
    }
    return evaluateGroup({ cluster: 'demo', group: kind, snapshots, policy: { ...DEFAULT_POLICY, windowSize }, now: ticks * INTERVAL, intervalMs: INTERVAL, previous: null });
  }

  it.each([3, 5, 10])('ticksToSettle(%i): the stopped and stuck windows have turned over, with one tick to spare', (windowSize) => {
    const settle = ticksToSettle(windowSize);
    for (const kind of ['stopped', 'stuck'] as const) {
      for (const ticks of [settle - 1, settle]) {
        const v = changed(kind, ticks, windowSize);
        expect([v.status, v.partitions[0]?.status], `${kind} after ${ticks} ticks`).toEqual([DEMO_EXPECTED[kind].group, DEMO_EXPECTED[kind].partition]);
        // Burrow's own rule sees the stopped offset only once the window holds no earlier commit.
        expect(v.partitions[0]?.burrowStatus, `${kind} after ${ticks} ticks`).toBe('STOPPED');
      }
      // One tick less and the window still holds the last commit: not settled yet.
      expect(changed(kind, settle - 2, windowSize).partitions[0]?.burrowStatus, `${kind} after ${settle - 2} ticks`).toBe('OK');
    }
  });

  function verdict(group: string, status: GroupVerdict['status'], partitionStatus: PartitionStatus): GroupVerdict {
    return groupVerdict({
      cluster: 'demo',
      group,
      status,
      partitions: [partitionVerdict({ topic: 't', status: partitionStatus, rule: 'r', committedOffset: 1n, logEndOffset: 4n, lag: 3n })],
    });
  }

  it('reports JSON-safe verdicts and checks them against the expected outcome', () => {
    const good = [
      verdict(names.groups.healthy, 'OK', 'OK'),
      verdict(names.groups.slow, 'WARNING', 'WARNING'),
      verdict(names.groups.stopped, 'ERROR', 'STOPPED'),
      verdict(names.groups.stuck, 'ERROR', 'STALLED'),
      verdict(names.groups.rewound, 'ERROR', 'REWIND'),
    ];
    expect(checkDemoVerdicts(names, good)).toEqual([]);
    const report = demoReport(names, good);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(report.find((g) => g.scenario === 'stuck')?.partitions[0]).toEqual({ topic: 't', partition: 0, status: 'STALLED', lag: '3', rule: 'r' });
    const bad = [...good.slice(0, 3), verdict(names.groups.stuck, 'ERROR', 'STOPPED')];
    expect(checkDemoVerdicts(names, bad)).toEqual([
      'demo-stuck-ab12cd: no STALLED partition (0:STOPPED/r)',
      'demo-rewound-ab12cd: no verdict',
    ]);
  });
});
