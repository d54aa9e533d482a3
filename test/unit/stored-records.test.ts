// The one decoder of each stored record (alert state, outbox message, alert record, run record),
// shared by the file and DynamoDB stores: what was written reads back the same, and a bad field is
// refused with an InputError naming it.
import { describe, expect, it } from 'vitest';
import { alertRecordFromStored, alertRecordOfState } from '../../functions/app/alert-record.js';
import type { AlertRecord } from '../../functions/app/ports.js';
import { runRecordFromStored } from '../../functions/app/run-record.js';
import type { AlertState } from '../../functions/core/alert.js';
import { InputError } from '../../functions/core/errors.js';
import type { Notification } from '../../functions/core/notification.js';
import { alertStateFromJson, notificationFromJson } from '../../functions/core/serialize.js';

const state: AlertState = { cluster: 'prod', group: 'pay', status: 'ERROR', incidentId: 'prod/pay/1', team: 'payments', since: 1, lastNotified: 2, version: 3 };
const message: Notification = {
  kind: 'open', cluster: 'prod', group: 'pay', team: 'payments', severity: 'ERROR', incidentId: 'prod/pay/1', at: 1,
  subject: '[ERROR] pay on prod', text: 'body', worstPartitions: [], dashboardUrl: null,
};
const record: AlertRecord = { cluster: 'prod', group: 'pay', state, revision: 4, runTimestamp: 60_000, pending: message };
/** As a store keeps it: JSON text parsed back. */
const stored = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

describe('stored records read back as written', () => {
  it('an alert record with its open state and pending message, and a tombstone', () => {
    expect(alertRecordFromStored({ ...record, state: stored(state), pending: stored(message) }, 'alert')).toEqual(record);
    expect(alertRecordFromStored({ ...record, state: null, pending: null }, 'alert')).toEqual({ ...record, state: null, pending: null });
  });

  it('a record of the first layout (a bare open state) takes its version as the revision', () => {
    expect(alertRecordOfState(alertStateFromJson(stored(state), 'alert'))).toEqual({ ...record, revision: 3, runTimestamp: 0, pending: null });
  });

  it('a run record', () => {
    const run = { cluster: 'prod', timestamp: 60_000, listedGroups: ['a', 'b'], failedGroups: ['b'] };
    expect(runRecordFromStored(stored(run) as Record<string, unknown>, 'run')).toEqual(run);
  });
});

describe('a bad stored field is named', () => {
  it.each([
    ['a state that is not an object', () => alertStateFromJson('ERROR', 'alert.state'), /^alert\.state: must be a JSON object/],
    ['an unknown status', () => alertStateFromJson({ ...state, status: 'STOPPED' }, 'alert.state'), /^alert\.state\.status: must be one of/],
    ['a negative version', () => alertStateFromJson({ ...state, version: -1 }, 'alert.state'), /^alert\.state\.version: must be a non-negative integer/],
    ['a missing incident id', () => alertStateFromJson({ ...state, incidentId: undefined }, 'alert.state'), /^alert\.state\.incidentId:/],
    ['an unknown message kind', () => notificationFromJson({ ...message, kind: 'page' }, 'alert.pending'), /^alert\.pending\.kind: must be one of open, repeat, resolve, gone/],
    ['a message without its subject', () => notificationFromJson({ ...message, subject: 5 }, 'alert.pending'), /^alert\.pending\.subject: must be a string/],
    ['a revision that is a string', () => alertRecordFromStored({ ...record, revision: '4' }, 'item'), /^item\.revision: must be a non-negative integer/],
    ['a bad state inside a record', () => alertRecordFromStored({ ...record, state: { ...state, since: 1.5 } }, 'item'), /^item\.state\.since:/],
    ['a run timestamp that is not an integer', () => runRecordFromStored({ cluster: 'prod', timestamp: Number.NaN, listedGroups: [], failedGroups: [] }, 'run'), /^run\.timestamp:/],
    ['a listed group that is not a string', () => runRecordFromStored({ cluster: 'prod', timestamp: 1, listedGroups: ['a', 1], failedGroups: [] }, 'run'), /^run\.listedGroups\[1\]: must be a string/],
    ['a run without its cluster', () => runRecordFromStored({ timestamp: 1, listedGroups: [], failedGroups: [] }, 'runs[3]'), /^runs\[3\]\.cluster:/],
  ])('%s', (_reason, decode, message) => {
    expect(decode).toThrow(InputError);
    expect(decode).toThrow(message);
  });
});
