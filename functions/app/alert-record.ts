// An alert record from what a store kept, decoded once for every store: the file store keeps a
// record as one JSON object, the DynamoDB store as an item whose state and message are JSON text.
import type { AlertState } from '../core/alert.js';
import { alertStateFromJson, fromJson, notificationFromJson } from '../core/serialize.js';
import type { AlertRecord } from './ports.js';

/** The record's fields as stored (`state` and `pending` parsed from JSON, null when absent).
 * Throws InputError naming the field under `where`. */
export function alertRecordFromStored(
  stored: { readonly cluster: string; readonly group: string; readonly revision: unknown; readonly runTimestamp: unknown; readonly state: unknown; readonly pending: unknown },
  where: string,
): AlertRecord {
  return {
    cluster: stored.cluster,
    group: stored.group,
    state: stored.state === null ? null : alertStateFromJson(stored.state, `${where}.state`),
    revision: fromJson.count(stored.revision, `${where}.revision`),
    runTimestamp: fromJson.count(stored.runTimestamp, `${where}.runTimestamp`),
    pending: stored.pending === null ? null : notificationFromJson(stored.pending, `${where}.pending`),
  };
}

/** A record of the first layout (before the outbox): a bare open state, whose version was the revision. */
export function alertRecordOfState(state: AlertState): AlertRecord {
  return { cluster: state.cluster, group: state.group, state, revision: state.version, runTimestamp: 0, pending: null };
}
