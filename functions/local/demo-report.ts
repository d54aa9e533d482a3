// The demo's final verdicts as JSON, and the check that each scenario ended as it should.
import type { GroupVerdict } from '../core/types.js';
import { DEMO_EXPECTED, scenarioOf, type DemoNames, type DemoScenario } from './demo-actors.js';

export interface DemoPartitionReport {
  readonly topic: string;
  readonly partition: number;
  readonly status: string;
  /** Decimal string; null when the group has no commit there. */
  readonly lag: string | null;
  readonly rule: string;
}

export interface DemoGroupReport {
  readonly group: string;
  readonly scenario: DemoScenario | null;
  readonly status: string;
  readonly state: string;
  readonly members: number | null;
  readonly totalLag: string;
  readonly partitions: readonly DemoPartitionReport[];
}

/** `[{group, status, partitions:[{topic, partition, status, lag}]}]` by group name; plain JSON (no bigint). */
export function demoReport(names: DemoNames, verdicts: readonly GroupVerdict[]): DemoGroupReport[] {
  return verdicts
    .map((v) => ({
      group: v.group,
      scenario: scenarioOf(names, v.group),
      status: v.status,
      state: v.state,
      members: v.members,
      totalLag: v.totalLag.toString(10),
      partitions: v.partitions.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        status: p.status,
        lag: p.lag === null ? null : p.lag.toString(10),
        rule: p.rule,
      })),
    }))
    .sort((a, b) => a.group.localeCompare(b.group));
}

/** What differs from DEMO_EXPECTED, one line per problem (empty when the demo ended as designed). */
export function checkDemoVerdicts(names: DemoNames, verdicts: readonly GroupVerdict[]): string[] {
  const problems: string[] = [];
  for (const [scenario, expected] of Object.entries(DEMO_EXPECTED) as [DemoScenario, (typeof DEMO_EXPECTED)[DemoScenario]][]) {
    const group = names.groups[scenario];
    const verdict = verdicts.find((v) => v.group === group);
    if (!verdict) {
      problems.push(`${group}: no verdict`);
      continue;
    }
    if (verdict.status !== expected.group) problems.push(`${group}: status ${verdict.status}, expected ${expected.group}`);
    if (expected.partition !== null && !verdict.partitions.some((p) => p.status === expected.partition)) {
      problems.push(`${group}: no ${expected.partition} partition (${verdict.partitions.map((p) => `${p.partition}:${p.status}/${p.rule}`).join(', ')})`);
    }
  }
  return problems;
}
