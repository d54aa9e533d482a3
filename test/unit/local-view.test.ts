// The live view: table rows, the worst partition, colour only on a TTY, in-place redraw.
import { describe, expect, it } from 'vitest';
import { LiveView, renderTable, worstPartition } from '../../functions/cli/view.js';
import type { GroupVerdict, PartitionVerdict } from '../../functions/core/types.js';
import { groupVerdict, partitionVerdict } from '../support/verdicts.js';

function partition(p: Partial<PartitionVerdict> & Pick<PartitionVerdict, 'partition' | 'status'>): PartitionVerdict {
  return partitionVerdict(p);
}

function verdict(group: string, status: GroupVerdict['status'], partitions: PartitionVerdict[]): GroupVerdict {
  return groupVerdict({ group, status, partitions, maxTimeLag: { seconds: 125, kind: 'interpolated' } });
}

describe('worstPartition', () => {
  it('prefers the most severe status over a bigger lag', () => {
    const v = verdict('g', 'ERROR', [
      partition({ partition: 0, status: 'WARNING', lag: 5000n }),
      partition({ partition: 1, status: 'STOPPED', lag: 3n }),
    ]);
    expect(worstPartition(v)?.partition).toBe(1);
  });

  it('breaks a status tie on lag, then keeps (topic, partition) order', () => {
    const v = verdict('g', 'OK', [
      partition({ partition: 0, status: 'OK', lag: 1n }),
      partition({ partition: 1, status: 'OK', lag: 7n }),
      partition({ partition: 2, status: 'OK', lag: 7n }),
    ]);
    expect(worstPartition(v)?.partition).toBe(1);
    expect(worstPartition(verdict('g', 'OK', []))).toBeNull();
  });
});

describe('renderTable', () => {
  const verdicts = [
    verdict('zeta', 'WARNING', [partition({ partition: 0, status: 'WARNING', rule: 'falling-behind', lag: 12345n })]),
    verdict('alpha', 'OK', [partition({ partition: 0, status: 'OK', lag: null, noCommits: true, committedOffset: null })]),
  ];

  it('prints one aligned line per group, sorted, with lag, time lag and the worst partition', () => {
    const lines = renderTable(verdicts, { colour: false });
    expect(lines[0]).toMatch(/^CLUSTER\s+GROUP\s+STATUS\s+TOTAL LAG\s+TIME LAG\s+WORST PARTITION$/);
    expect(lines[1]).toMatch(/^local\s+alpha\s+OK\s+0\s+2m 5s\s+orders\[0\] OK no commits$/);
    expect(lines[2]).toMatch(/^local\s+zeta\s+WARNING\s+12,345\s+2m 5s\s+orders\[0\] WARNING falling-behind lag 12,345$/);
    expect(lines[1]!.indexOf('OK')).toBe(lines[2]!.indexOf('WARNING'));
    expect(lines.join('\n')).not.toContain('\u001b[');
  });

  it('colours statuses when asked, without breaking alignment', () => {
    const lines = renderTable(verdicts, { colour: true });
    expect(lines[2]).toContain('\u001b[33mWARNING\u001b[0m');
    const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
    expect(strip(lines[1]!)).toBe(renderTable(verdicts, { colour: false })[1]);
  });
});

describe('LiveView', () => {
  it('redraws in place on a TTY, keeps alerts above the table and redraws the table under them at once', () => {
    let out = '';
    const view = new LiveView({ write: (t: string) => (out += t), isTTY: true });
    const v = [verdict('g', 'OK', [partition({ partition: 0, status: 'OK', lag: 0n })])];
    view.render(v, 'tick 1');
    view.message('ALERT');
    const afterAlert = out.slice(out.indexOf('ALERT'));
    // The table is back right under the alert, not blank until the next tick.
    expect(afterAlert).toContain('tick 1');
    expect(afterAlert).toMatch(/^ALERT\n.*tick 1/s);
    view.render(v, 'tick 2');
    // heading + header + 1 row = 3 lines moved up over before the alert and before tick 2's table
    expect(out.match(/\u001b\[3A/g)?.length).toBe(2);
    expect(out.indexOf('ALERT')).toBeLessThan(out.lastIndexOf('tick 2'));
    expect(out).toContain('\u001b[32mOK\u001b[0m');
  });

  it('keeps the last verdicts on screen, marked stale with the error, when the cluster cannot be read', () => {
    let out = '';
    const view = new LiveView({ write: (t: string) => (out += t), isTTY: false });
    const v = [verdict('g', 'WARNING', [partition({ partition: 0, status: 'WARNING', lag: 7n })])];
    view.render(v, 'tick 5', 'collection failed at 10:00:00: connection refused');
    expect(out).toContain('STALE: collection failed at 10:00:00: connection refused');
    expect(out).toMatch(/^local\s+g\s+WARNING\s+7\s/m);
    expect(out).not.toContain('no consumer groups yet');
  });

  it('appends plain tables when stdout is not a TTY', () => {
    let out = '';
    const view = new LiveView({ write: (t: string) => (out += t), isTTY: false });
    view.progress('downloading jars');
    view.render([], 'tick 1');
    expect(out).toBe('downloading jars\ntick 1\nCLUSTER  GROUP  STATUS  TOTAL LAG  TIME LAG  WORST PARTITION\n(no consumer groups yet)\n\n');
  });
});
