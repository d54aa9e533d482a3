// The JSON boundary: bigints become decimal strings on the way out, and input is checked field by
// field on the way in, with errors that name the item and the field.
import type { AlertState } from './alert.js';
import { InputError } from './errors.js';
import { AlertKind, type Notification } from './notification.js';
import { parseOffset } from './offsets.js';
import {
  GroupState,
  GroupStatus,
  MissingSignal,
  type GroupSnapshot,
  type GroupVerdict,
  type PartitionOffsets,
  type PartitionVerdict,
  type PartitionWindowInput,
  type WindowPoint,
} from './types.js';

type Json = Record<string, unknown>;

function fail(where: string, message: string): never {
  throw new InputError(`${where}: ${message}`, { context: { field: where } });
}

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'must be a JSON object');
  return value as Json;
}

function array(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) fail(where, 'must be a JSON array');
  return value;
}

function offset(value: unknown, where: string): bigint {
  if (value === undefined) fail(where, 'is missing');
  const parsed = parseOffset(value);
  if (parsed === null) fail(where, `must be a non-negative integer (a JSON number or a decimal string), got ${JSON.stringify(value)}`);
  return parsed;
}

function nullableOffset(value: unknown, where: string): bigint | null {
  return value === null ? null : offset(value, where);
}

function time(value: unknown, where: string): number {
  if (value === undefined) fail(where, 'is missing');
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(where, `must be epoch milliseconds (a non-negative integer), got ${JSON.stringify(value)}`);
  }
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') fail(where, 'must be a non-empty string');
  return value;
}

function optionalShare(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) fail(where, `must be a number from 0 to 1, got ${JSON.stringify(value)}`);
  return value;
}

function optionalCount(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) fail(where, `must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

function point(value: unknown, where: string): WindowPoint {
  const o = object(value, where);
  if (!('lag' in o)) fail(`${where}.lag`, 'is missing (use null when unknown)');
  return {
    offset: offset(o.offset, `${where}.offset`),
    timestamp: time(o.timestamp, `${where}.timestamp`),
    lag: nullableOffset(o.lag, `${where}.lag`),
  };
}

/** One `evaluate-partition` input object; `where` names it in errors (e.g. "[3]"). */
export function partitionInputFromJson(value: unknown, where: string): PartitionWindowInput {
  const o = object(value, where);
  const window = array(o.window, `${where}.window`).map((p, i) => point(p, `${where}.window[${i}]`));
  for (let i = 1; i < window.length; i++) {
    if (window[i]!.timestamp < window[i - 1]!.timestamp) {
      fail(`${where}.window[${i}].timestamp`, `is before window[${i - 1}].timestamp; give the window oldest first`);
    }
  }
  const windowSize = optionalCount(o.windowSize, `${where}.windowSize`);
  const minimumComplete = optionalShare(o.minimumComplete, `${where}.minimumComplete`);
  return {
    window,
    brokerOffsets: array(o.brokerOffsets, `${where}.brokerOffsets`).map((b, i) => offset(b, `${where}.brokerOffsets[${i}]`)),
    currentLag: offset(o.currentLag, `${where}.currentLag`),
    now: time(o.now, `${where}.now`),
    allowedLag: o.allowedLag === undefined ? 0n : offset(o.allowedLag, `${where}.allowedLag`),
    ...(windowSize === undefined ? {} : { windowSize }),
    ...(minimumComplete === undefined ? {} : { minimumComplete }),
  };
}

const STATES = new Set<string>(Object.values(GroupState));
const SIGNALS = new Set<string>(Object.values(MissingSignal));

function partitionNumber(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(where, `must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** retention.ms: -1 (unlimited, Kafka's own value) or a non-negative integer; null when unknown. */
function retention(value: unknown, where: string): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < -1) {
    fail(where, `must be milliseconds (an integer, -1 for unlimited) or null, got ${JSON.stringify(value)}`);
  }
  return value;
}

function missingSignals(value: unknown, where: string): MissingSignal[] {
  return array(value, where).map((v, i) => {
    if (typeof v !== 'string' || !SIGNALS.has(v)) fail(`${where}[${i}]`, `must be one of ${[...SIGNALS].join(', ')}, got ${JSON.stringify(v)}`);
    return v as MissingSignal;
  });
}

function assignments(value: unknown, where: string): Record<string, number[]> | null {
  if (value === null) return null;
  const o = object(value, where);
  const out: Record<string, number[]> = {};
  for (const [topic, partitions] of Object.entries(o)) {
    const at = `${where}[${JSON.stringify(topic)}]`;
    out[topic] = array(partitions, at).map((p, i) => partitionNumber(p, `${at}[${i}]`));
  }
  return out;
}

function partitionOffsetsFromJson(value: unknown, where: string): PartitionOffsets {
  const o = object(value, where);
  const recordTs = o.committedRecordTimestamp;
  return {
    topic: text(o.topic, `${where}.topic`),
    partition: partitionNumber(o.partition, `${where}.partition`),
    committedOffset: o.committedOffset === undefined ? null : nullableOffset(o.committedOffset, `${where}.committedOffset`),
    logEndOffset: o.logEndOffset === undefined ? null : nullableOffset(o.logEndOffset, `${where}.logEndOffset`),
    ...(recordTs === undefined || recordTs === null ? {} : { committedRecordTimestamp: time(recordTs, `${where}.committedRecordTimestamp`) }),
    ...(o.logStartOffset === undefined ? {} : { logStartOffset: nullableOffset(o.logStartOffset, `${where}.logStartOffset`) }),
    ...(o.retentionMs === undefined ? {} : { retentionMs: retention(o.retentionMs, `${where}.retentionMs`) }),
    ...(o.missingSignals === undefined ? {} : { missingSignals: missingSignals(o.missingSignals, `${where}.missingSignals`) }),
  };
}

/** A stored or hand-written group snapshot; throws InputError naming `where` and the field. */
export function groupSnapshotFromJson(value: unknown, where: string): GroupSnapshot {
  const o = object(value, where);
  const state = o.state === undefined ? 'Unknown' : o.state;
  if (typeof state !== 'string' || !STATES.has(state)) {
    fail(`${where}.state`, `must be one of ${[...STATES].join(', ')}, got ${JSON.stringify(state)}`);
  }
  const members = o.members;
  if (members !== undefined && members !== null && (typeof members !== 'number' || !Number.isSafeInteger(members) || members < 0)) {
    fail(`${where}.members`, `must be a non-negative integer or null, got ${JSON.stringify(members)}`);
  }
  return {
    cluster: text(o.cluster, `${where}.cluster`),
    group: text(o.group, `${where}.group`),
    timestamp: time(o.timestamp, `${where}.timestamp`),
    state: state as GroupState,
    members: typeof members === 'number' ? members : null,
    ...(o.assignments === undefined ? {} : { assignments: assignments(o.assignments, `${where}.assignments`) }),
    partitions: array(o.partitions, `${where}.partitions`).map((p, i) => partitionOffsetsFromJson(p, `${where}.partitions[${i}]`)),
  };
}

const str = (v: bigint | null): string | null => (v === null ? null : v.toString(10));

export function groupSnapshotToJson(s: GroupSnapshot): Json {
  return {
    cluster: s.cluster,
    group: s.group,
    timestamp: s.timestamp,
    state: s.state,
    members: s.members,
    ...(s.assignments === undefined ? {} : { assignments: s.assignments }),
    partitions: s.partitions.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      committedOffset: str(p.committedOffset),
      logEndOffset: str(p.logEndOffset),
      ...(p.committedRecordTimestamp == null ? {} : { committedRecordTimestamp: p.committedRecordTimestamp }),
      ...(p.logStartOffset === undefined ? {} : { logStartOffset: str(p.logStartOffset) }),
      ...(p.retentionMs === undefined ? {} : { retentionMs: p.retentionMs }),
      ...(p.missingSignals === undefined || p.missingSignals.length === 0 ? {} : { missingSignals: [...p.missingSignals] }),
    })),
  };
}

export function partitionVerdictToJson(p: PartitionVerdict): Json {
  return {
    topic: p.topic,
    partition: p.partition,
    status: p.status,
    rule: p.rule,
    complete: p.complete,
    committedOffset: str(p.committedOffset),
    logEndOffset: str(p.logEndOffset),
    lag: str(p.lag),
    timeLagSeconds: p.timeLag.seconds,
    timeLagKind: p.timeLag.kind,
    insufficientData: p.insufficientData,
    noCommits: p.noCommits,
    topicRecreated: p.topicRecreated,
    burrowStatus: p.burrowStatus ?? null,
    burrowRule: p.burrowRule ?? null,
    notAssigned: p.notAssigned ?? false,
    deletedUnread: p.deletedUnread == null ? null : p.deletedUnread.toString(10),
    retentionLeftSeconds: p.retentionLeftSeconds ?? null,
    stuckForSeconds: p.stuckForSeconds ?? null,
  };
}

export function verdictToJson(v: GroupVerdict): Json {
  return {
    cluster: v.cluster,
    group: v.group,
    status: v.status,
    evaluatedAt: v.evaluatedAt,
    state: v.state,
    members: v.members,
    complete: v.complete,
    totalLag: v.totalLag.toString(10),
    maxLag: v.maxLag === null ? null : { topic: v.maxLag.topic, partition: v.maxLag.partition, lag: v.maxLag.lag.toString(10) },
    maxTimeLagSeconds: v.maxTimeLag.seconds,
    maxTimeLagKind: v.maxTimeLag.kind,
    snapshots: v.snapshots,
    partitions: v.partitions.map(partitionVerdictToJson),
    // §6: the verdict rule, and Burrow's own status kept for comparison.
    rule: v.rule ?? null,
    burrowStatus: v.burrowStatus ?? null,
    stale: v.stale ?? false,
    emptyForSeconds: v.emptyForSeconds ?? null,
  };
}

const STATUSES = new Set<string>(Object.values(GroupStatus));
const KINDS = new Set<string>(Object.values(AlertKind));

function count(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(where, `must be a non-negative integer, got ${JSON.stringify(value)}`);
  return value;
}

function string(value: unknown, where: string): string {
  if (typeof value !== 'string') fail(where, 'must be a string');
  return value;
}

/** A stored open incident (every store keeps one per group); throws InputError naming the field. */
export function alertStateFromJson(value: unknown, where: string): AlertState {
  const o = object(value, where);
  const status = string(o.status, `${where}.status`);
  if (!STATUSES.has(status)) fail(`${where}.status`, `must be one of ${[...STATUSES].join(', ')}, got ${JSON.stringify(status)}`);
  return {
    cluster: text(o.cluster, `${where}.cluster`),
    group: text(o.group, `${where}.group`),
    status: status as GroupStatus,
    incidentId: text(o.incidentId, `${where}.incidentId`),
    team: text(o.team, `${where}.team`),
    since: count(o.since, `${where}.since`),
    lastNotified: count(o.lastNotified, `${where}.lastNotified`),
    version: count(o.version, `${where}.version`),
  };
}

/** A stored message still to send (a record's outbox): the fields the notifiers rely on are checked,
 * the message is kept as written. Throws InputError naming the field. */
export function notificationFromJson(value: unknown, where: string): Notification {
  const o = object(value, where);
  const kind = string(o.kind, `${where}.kind`);
  if (!KINDS.has(kind)) fail(`${where}.kind`, `must be one of ${[...KINDS].join(', ')}, got ${JSON.stringify(kind)}`);
  for (const name of ['cluster', 'group', 'team', 'severity', 'incidentId', 'subject', 'text']) string(o[name], `${where}.${name}`);
  return o as unknown as Notification;
}

function strings(value: unknown, where: string): string[] {
  return array(value, where).map((v, i) => string(v, `${where}[${i}]`));
}

/** The field checks above, for the records the app layer stores (run and alert records). */
export const fromJson = { object, text, time, count, strings } as const;
