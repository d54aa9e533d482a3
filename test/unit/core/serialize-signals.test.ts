// The evaluate series JSON format carries the §6.1 signals: read back exactly what was written, and
// bad values are refused with an error naming the field.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../functions/core/errors.js';
import { groupSnapshotFromJson, groupSnapshotToJson } from '../../../functions/core/serialize.js';
import type { GroupSnapshot } from '../../../functions/core/types.js';

const withSignals: GroupSnapshot = {
  cluster: 'prod',
  group: 'payments',
  timestamp: 1_763_700_000_000,
  state: 'Stable',
  members: 2,
  assignments: { orders: [0, 1] },
  partitions: [
    {
      topic: 'orders',
      partition: 0,
      committedOffset: 100n,
      logEndOffset: 400n,
      committedRecordTimestamp: 1_763_699_990_000,
      logStartOffset: 9_007_199_254_740_993n,
      retentionMs: -1,
    },
    { topic: 'orders', partition: 1, committedOffset: 5n, logEndOffset: 9n, logStartOffset: null, retentionMs: 604_800_000, missingSignals: ['log-start', 'record-timestamp'] },
  ],
};

describe('series JSON with signals', () => {
  it('round-trips every signal (offsets as decimal strings, -1 retention, null assignments)', () => {
    const json = JSON.parse(JSON.stringify(groupSnapshotToJson(withSignals)));
    expect(json.partitions[0].logStartOffset).toBe('9007199254740993');
    expect(groupSnapshotFromJson(json, 'snapshots[0]')).toEqual(withSignals);
    const unknown = { ...withSignals, assignments: null };
    expect(groupSnapshotFromJson(JSON.parse(JSON.stringify(groupSnapshotToJson(unknown))), 'x')).toEqual(unknown);
  });

  it('reads a snapshot without signals (the old format) as "not collected": no fields added', () => {
    const old = { cluster: 'c', group: 'g', timestamp: 1, state: 'Empty', members: 0, partitions: [{ topic: 't', partition: 0, committedOffset: '1', logEndOffset: '2' }] };
    const read = groupSnapshotFromJson(old, 's');
    expect(read).not.toHaveProperty('assignments');
    expect(read.partitions[0]).toEqual({ topic: 't', partition: 0, committedOffset: 1n, logEndOffset: 2n });
  });

  const base = () => JSON.parse(JSON.stringify(groupSnapshotToJson(withSignals)));
  it.each([
    { reason: 'a negative log start is no offset', edit: (j: any) => (j.partitions[0].logStartOffset = '-3'), field: 'snapshots[0].partitions[0].logStartOffset' },
    { reason: 'retention below -1 is meaningless', edit: (j: any) => (j.partitions[0].retentionMs = -2), field: 'snapshots[0].partitions[0].retentionMs' },
    { reason: 'retention must be an integer', edit: (j: any) => (j.partitions[0].retentionMs = '7d'), field: 'snapshots[0].partitions[0].retentionMs' },
    { reason: 'an unknown signal name is a typo', edit: (j: any) => (j.partitions[1].missingSignals = ['log-start', 'logstart']), field: 'snapshots[0].partitions[1].missingSignals[1]' },
    { reason: 'missing signals is a list', edit: (j: any) => (j.partitions[1].missingSignals = 'log-start'), field: 'snapshots[0].partitions[1].missingSignals' },
    { reason: 'assignments map topics to partition lists', edit: (j: any) => (j.assignments = { orders: [0, -1] }), field: 'snapshots[0].assignments["orders"][1]' },
    { reason: 'assignments is an object or null', edit: (j: any) => (j.assignments = ['orders']), field: 'snapshots[0].assignments' },
  ])('rejects $reason, naming $field', ({ edit, field }) => {
    const json = base();
    edit(json);
    let error: unknown;
    try {
      groupSnapshotFromJson(json, 'snapshots[0]');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message.startsWith(`${field}:`)).toBe(true);
  });
});
