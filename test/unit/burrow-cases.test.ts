// Burrow's evaluator correctness table (caching_test.go), the evaluation.md §5 worked examples and a few
// cases derived from §2, all from test/fixtures/burrow-cases.json, run against the pure core.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as rules from '../../functions/core/partition-rules.js';
import type { PartitionStatus, PartitionWindowInput, WindowPoint } from '../../functions/core/types.js';

type JsonInteger = number | string;

interface FixtureInput {
  readonly window: readonly { offset: JsonInteger; timestamp: number; lag: JsonInteger | null }[];
  readonly brokerOffsets: readonly JsonInteger[];
  readonly currentLag: JsonInteger;
  readonly now: number;
  readonly allowedLag: JsonInteger;
  readonly windowSize?: number;
  readonly minimumComplete?: number;
}

interface FixtureCase {
  readonly id: string;
  readonly kind: 'evaluation' | 'rule';
  readonly source: string;
  readonly burrowCase: string | null;
  readonly reason: string;
  readonly input: FixtureInput;
  readonly expectedStatus?: PartitionStatus;
  readonly expectedComplete?: number;
  readonly rule?: RuleName;
  readonly expectRuleFires?: boolean;
}

const RULE_NAMES = [
  'isCaughtUp',
  'isStopped',
  'isRewind',
  'hasZeroLagInWindow',
  'isStalled',
  'isLagNotDecreasing',
] as const;
type RuleName = (typeof RULE_NAMES)[number];

const fixturePath = new URL('../fixtures/burrow-cases.json', import.meta.url);
const cases = (JSON.parse(readFileSync(fixturePath, 'utf8')) as { cases: FixtureCase[] }).cases;

function toInput(raw: FixtureInput): PartitionWindowInput {
  const window: WindowPoint[] = raw.window.map((p) => ({
    offset: BigInt(p.offset),
    timestamp: p.timestamp,
    lag: p.lag === null ? null : BigInt(p.lag),
  }));
  return {
    window,
    brokerOffsets: raw.brokerOffsets.map((o) => BigInt(o)),
    currentLag: BigInt(raw.currentLag),
    now: raw.now,
    allowedLag: BigInt(raw.allowedLag),
    ...(raw.windowSize === undefined ? {} : { windowSize: raw.windowSize }),
    ...(raw.minimumComplete === undefined ? {} : { minimumComplete: raw.minimumComplete }),
  };
}

const title = (c: FixtureCase): string => `${c.id} [${c.burrowCase ?? c.source}]: ${c.reason}`;

describe('fixture shape', () => {
  it('holds every Burrow CheckRules case 0-11 as a full evaluation with all six rule assertions', () => {
    for (let n = 0; n <= 11; n++) {
      const id = `burrow-${String(n).padStart(2, '0')}`;
      expect(cases.filter((c) => c.id === id && c.kind === 'evaluation')).toHaveLength(1);
      expect(cases.filter((c) => c.id.startsWith(`${id}/`) && c.kind === 'rule')).toHaveLength(6);
    }
    expect(cases.filter((c) => c.source.startsWith('evaluation.md §5'))).toHaveLength(8);
  });

  it('names only rule functions the module exports', () => {
    for (const c of cases.filter((c) => c.kind === 'rule')) {
      expect(RULE_NAMES).toContain(c.rule);
      expect(typeof rules[c.rule as RuleName]).toBe('function');
    }
  });
});

describe('evaluatePartition over Burrow cases and evaluation.md examples', () => {
  it.each(cases.filter((c) => c.kind === 'evaluation').map((c) => [title(c), c] as const))('%s', (_title, c) => {
    const result = rules.evaluatePartition(toInput(c.input));
    expect(result.status).toBe(c.expectedStatus);
    expect(result.complete).toBeCloseTo(c.expectedComplete ?? 1, 9);
  });
});

describe('single rules over Burrow rule assertions', () => {
  it.each(cases.filter((c) => c.kind === 'rule').map((c) => [title(c), c] as const))('%s', (_title, c) => {
    const rule = rules[c.rule as RuleName];
    expect(rule(toInput(c.input))).toBe(c.expectRuleFires);
  });
});
