// `lagwatch evaluate-partition` end to end: every full-evaluation case of test/fixtures/burrow-cases.json
// through one CLI run, then the input errors the contract promises (exit 2, field and item named, no stdout).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface FixtureCase {
  readonly id: string;
  readonly kind: 'evaluation' | 'rule';
  readonly input: Record<string, unknown>;
  readonly expectedStatus?: string;
  readonly expectedComplete?: number;
}

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixturePath = new URL('../fixtures/burrow-cases.json', import.meta.url);
const evaluations = (JSON.parse(readFileSync(fixturePath, 'utf8')) as { cases: FixtureCase[] }).cases.filter(
  (c) => c.kind === 'evaluation',
);

function runCli(stdin: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('node_modules/.bin/tsx', ['functions/cli/main.ts', 'evaluate-partition'], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

// A valid item (evaluation.md §5, first row); bad items are put at index 7 of an array of 8 so the
// error message must name that index.
const valid = (): Record<string, unknown> => ({
  window: [
    { offset: 10, timestamp: 0, lag: 0 },
    { offset: 20, timestamp: 60_000, lag: 5 },
    { offset: 30, timestamp: 120_000, lag: 3 },
  ],
  brokerOffsets: [33],
  currentLag: 3,
  now: 180_000,
  allowedLag: 0,
});
const BAD_INDEX = 7;
const withBadItem = (bad: Record<string, unknown>): string =>
  JSON.stringify([...Array.from({ length: BAD_INDEX }, valid), bad]);

describe('lagwatch evaluate-partition', () => {
  it(`evaluates all ${evaluations.length} fixture cases in one run, in order`, async () => {
    const run = await runCli(JSON.stringify(evaluations.map((c) => c.input)));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { status: string; complete: number }[];
    expect(Array.isArray(out)).toBe(true);
    expect(out).toHaveLength(evaluations.length);
    const got = out.map((o, i) => `${evaluations[i]!.id}: ${o.status} ${o.complete}`);
    const want = evaluations.map((c) => `${c.id}: ${c.expectedStatus} ${c.expectedComplete ?? 1}`);
    expect(got).toEqual(want);
  });

  it('answers one object with one object', async () => {
    // evaluation.md §5 second row, with offsets and lags as decimal strings.
    const item = {
      window: [
        { offset: '10', timestamp: 0, lag: '5' },
        { offset: '20', timestamp: 60_000, lag: '8' },
        { offset: '30', timestamp: 120_000, lag: '12' },
      ],
      brokerOffsets: ['42'],
      currentLag: '12',
      now: 180_000,
      allowedLag: '0',
    };
    const run = await runCli(JSON.stringify(item));
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { status: string; complete: number };
    expect(Array.isArray(out)).toBe(false);
    expect(out.status).toBe('WARNING');
    expect(out.complete).toBe(1);
  });

  const badInputs: readonly { name: string; stdin: string; mentions: readonly (string | RegExp)[] }[] = [
    { name: 'malformed JSON', stdin: '[{"window": [', mentions: [/json/i] },
    {
      name: 'missing field currentLag',
      stdin: withBadItem((({ currentLag: _omit, ...rest }) => rest)(valid())),
      mentions: ['currentLag', new RegExp(`\\b${BAD_INDEX}\\b`)],
    },
    {
      name: 'negative offset',
      stdin: withBadItem({ ...valid(), window: [{ offset: 10, timestamp: 0, lag: 0 }, { offset: -5, timestamp: 60_000, lag: 5 }] }),
      mentions: ['offset', new RegExp(`\\b${BAD_INDEX}\\b`)],
    },
    {
      name: 'non-numeric offset',
      stdin: withBadItem({ ...valid(), window: [{ offset: 'abc', timestamp: 0, lag: 0 }] }),
      mentions: ['offset', new RegExp(`\\b${BAD_INDEX}\\b`)],
    },
    {
      name: 'timestamps out of order',
      stdin: withBadItem({ ...valid(), window: [{ offset: 10, timestamp: 200_000, lag: 0 }, { offset: 20, timestamp: 100_000, lag: 5 }] }),
      mentions: ['timestamp', new RegExp(`\\b${BAD_INDEX}\\b`)],
    },
  ];

  it.each(badInputs.map((b) => [b.name, b] as const))('rejects %s: exit 2, stderr names it, empty stdout', async (_name, bad) => {
    const run = await runCli(bad.stdin);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    for (const m of bad.mentions) expect(run.stderr).toMatch(m);
  });
});
