// bench:evaluate — 5,000 groups / 50,000 partitions with 10-snapshot windows through the full
// group evaluation (windows, rules, membership, time lag, roll-up); then the end-to-end mode through
// the real store code (bench/evaluate-e2e.ts) at BENCH_E2E_PARTITIONS (default 50,000 and 200,000).
// Prints tables and, last, one summary line; never fails on time.
import { endToEnd } from './evaluate-e2e.js';
import { evaluateGroup } from '../functions/core/group.js';
import { DEFAULT_POLICY } from '../functions/core/policy.js';
import type { GroupSnapshot, GroupState } from '../functions/core/types.js';

const GROUPS = Number(process.env.BENCH_GROUPS ?? 5_000);
const PARTITIONS_PER_GROUP = 10;
const SNAPSHOTS = DEFAULT_POLICY.windowSize;
const INTERVAL = 60_000;
const T0 = 1_763_700_000_000;
const ROUNDS = 5;

// Deterministic mix of behaviours so every rule path runs: healthy, slow, stopped, stuck, rewinding.
function series(g: number): GroupSnapshot[] {
  const kind = g % 5;
  const state: GroupState = kind === 2 ? 'Empty' : 'Stable';
  const snapshots: GroupSnapshot[] = [];
  for (let s = 0; s < SNAPSHOTS; s++) {
    const partitions = [];
    for (let p = 0; p < PARTITIONS_PER_GROUP; p++) {
      const base = 1_000_000 + g * 7 + p * 1_000;
      // Stopped and stuck groups were far behind when they stopped: no log end in the window reaches them.
      const logEnd = BigInt(base + s * 500 + (kind === 2 || kind === 3 ? 1_000 : 0));
      let committed: bigint;
      if (kind === 0) committed = logEnd - BigInt((s + p) % 3); // healthy: OK
      else if (kind === 1) committed = logEnd - BigInt(100 + s * 50); // slow: WARNING
      else if (kind === 2 || kind === 3) committed = BigInt(base - 300 + Math.min(s, 2) * 500); // stopped (Empty) / stuck (members)
      else committed = BigInt(base + (s < 4 ? s * 500 - 200 : 500 + s * 50)); // rewound at s = 4, never back: REWIND
      partitions.push({ topic: `topic-${p % 3}`, partition: p, committedOffset: committed, logEndOffset: logEnd });
    }
    snapshots.push({ cluster: 'bench', group: `group-${g}`, timestamp: T0 + s * INTERVAL, state, members: kind === 2 ? 0 : 3, partitions });
  }
  return snapshots;
}

// In a function, so the fixture is garbage before the end-to-end runs: their heap figures are the
// evaluator's own, not this table's 50,000 partitions still held.
function groupTable(): [string, string][] {
  const buildStart = performance.now();
  const fleet = Array.from({ length: GROUPS }, (_, g) => series(g));
  const buildMs = performance.now() - buildStart;
  const now = T0 + SNAPSHOTS * INTERVAL;

  const times: number[] = [];
  const statuses = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (const snapshots of fleet) {
      const v = evaluateGroup({ cluster: 'bench', group: snapshots[0]!.group, snapshots, policy: DEFAULT_POLICY, now });
      if (round === 0) statuses.set(v.status, (statuses.get(v.status) ?? 0) + 1);
    }
    times.push(performance.now() - start);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const rssMb = process.resourceUsage().maxRSS / 1024;

  const rows: [string, string][] = [
    ['groups', GROUPS.toLocaleString('en-US')],
    ['partitions', (GROUPS * PARTITIONS_PER_GROUP).toLocaleString('en-US')],
    ['snapshots per window', String(SNAPSHOTS)],
    ['verdicts (first round)', [...statuses].map(([s, n]) => `${s} ${n}`).join(', ')],
    ['fixture build (ms)', buildMs.toFixed(0)],
    [`evaluate all, best of ${ROUNDS} (ms)`, sorted[0]!.toFixed(0)],
    [`evaluate all, median of ${ROUNDS} (ms)`, sorted[Math.floor(ROUNDS / 2)]!.toFixed(0)],
    ['per partition, best (µs)', ((sorted[0]! * 1000) / (GROUPS * PARTITIONS_PER_GROUP)).toFixed(2)],
    ['peak RSS, whole process (MB)', rssMb.toFixed(0)],
    ['target', '< 1,000 ms and < 512 MB'],
  ];
  return rows;
}
const rows = groupTable();
(globalThis as { gc?: () => void }).gc?.();
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`bench:evaluate  (node ${process.version}, one thread)`);
for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);

// End-to-end: gzip chunks → windows → verdicts → metrics → alert decisions, one cluster per run.
const sizes = (process.env.BENCH_E2E_PARTITIONS ?? '50000,200000').split(',').map(Number).filter((n) => n > 0);
console.log('\nbench:evaluate end-to-end  (DynamoSnapshotStore chunks → readWindows → runEvaluation; 10 partitions per group)');
console.log('  partitions  groups   wall (ms)  cpu (ms)  peak heap (MB)  verdicts');
let last: Awaited<ReturnType<typeof endToEnd>> | null = null;
for (const size of sizes) {
  last = await endToEnd(size);
  console.log(
    `  ${last.partitions.toLocaleString('en-US').padStart(10)}  ${last.groups.toLocaleString('en-US').padStart(6)}  ${last.ms.toFixed(0).padStart(10)}  ${last.cpuMs.toFixed(0).padStart(8)}  ${last.peakHeapMb.toFixed(0).padStart(14)}  ${last.statuses}`,
  );
}
console.log('  targets: 50,000 < 1 s; 200,000 < 3 s and < 400 MB heap (one core)');
if (last !== null) {
  console.log(`evaluate end-to-end: ${last.partitions} partitions, ${last.ms.toFixed(0)} ms, peak heap ${last.peakHeapMb.toFixed(0)} MB`);
}
