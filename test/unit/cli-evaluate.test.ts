import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIO_DIR } from '../support/scenarios.js';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
function lagwatch(args: string[], stdin?: string) {
  const r = spawnSync(TSX, ['functions/cli/main.ts', ...args], { input: stdin ?? '', encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('lagwatch evaluate', () => {
  it('prints the group verdict as JSON with partitions, totalLag, maxLag and time lag', () => {
    const r = lagwatch(['evaluate', '--json', '--file', join(SCENARIO_DIR, 'stopped-consumer.json')]);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ group: 'stopped', status: 'ERROR', totalLag: '1000', maxLag: { topic: 'payments', partition: 0, lag: '1000' }, maxTimeLagSeconds: 540, maxTimeLagKind: 'lower-bound' });
    expect(v.partitions[0]).toMatchObject({ status: 'STOPPED', committedOffset: '300', logEndOffset: '1300' });
  });
  it('the JSON names the verdict rule and keeps Burrow’s status and rule next to it (§6)', () => {
    const r = lagwatch(['evaluate', '--json', '--file', join(SCENARIO_DIR, 'rewind.json')]);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ status: 'WARNING', rule: 'reprocessing', burrowStatus: 'ERROR', stale: false });
    expect(v.partitions[0]).toMatchObject({ status: 'WARNING', rule: 'reprocessing', burrowStatus: 'REWIND', burrowRule: 'rewind' });
  });
  it('prints a readable table by default, reading stdin', async () => {
    const { readFileSync } = await import('node:fs');
    const r = lagwatch(['evaluate'], readFileSync(join(SCENARIO_DIR, 'slow-consumer.json'), 'utf8'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/demo \/ slow: WARNING/);
    expect(r.stdout).toMatch(/clicks\s+0\s+WARNING/);
  });
  it.each([
    ['malformed JSON', '{"snapshots": [', /stdin is not valid JSON/],
    ['a missing field', JSON.stringify({ snapshots: [{ cluster: 'c', group: 'g', partitions: [] }] }), /snapshots\[0\]\.timestamp: is missing/],
    ['a negative offset', JSON.stringify({ snapshots: [{ cluster: 'c', group: 'g', timestamp: 1, partitions: [{ topic: 't', partition: 0, committedOffset: -5, logEndOffset: 1 }] }] }), /snapshots\[0\]\.partitions\[0\]\.committedOffset/],
    ['timestamps out of order', JSON.stringify({ snapshots: [{ cluster: 'c', group: 'g', timestamp: 5, partitions: [] }, { cluster: 'c', group: 'g', timestamp: 4, partitions: [] }] }), /snapshots\[1\]\.timestamp/],
    ['a bad policy key', JSON.stringify({ policy: { defaults: { windowSize: 0 } }, snapshots: [{ cluster: 'c', group: 'g', timestamp: 5, partitions: [] }] }), /policy\.defaults\.windowSize/],
  ])('%s → exit 2, the field named, nothing on stdout', (_reason, stdin, message) => {
    const r = lagwatch(['evaluate', '--json'], stdin);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
  it('an unknown command exits 2 with the usage', () => {
    const r = lagwatch(['evaluat']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "evaluat"');
  });
});
