// One group's entry in a snapshot chunk (snapshot-chunks.ts packs entries into gzipped chunks):
// written in format 4, read in formats 1–4.
//
//   entry: { "g": "<group>", "s": "<state>", "m": <members|null>, "t": <topics>,
//            "a": {"<topic>": [<assigned partition>, ...], ...} | null,                (a only when collected)
//            "k": [<first partition index>, <partitions in the whole group>] }   (k only when the group is split)
//   (formats 3 and 4 keep "g" outside the entry, before the tab of the entry's line)
//
// Format 4 (written) — the topics flat, so a group's entry parses into one array, not three arrays
// per partition:
//   t: ["<topic>", <stride>, <partitions>, <partition fields × stride × partitions>, "<topic>", ...]
//   partition fields, `stride` of them (3–7; the topic's widest partition, the rest padded with null):
//     <partition>, <committed|null>, <logEnd|null>, <committedRecordTimestamp|null>, <logStart|null>,
//     <retentionMs|null>, "<missing signals>"|null
//   Offsets are JSON numbers up to 2^53 − 1 and decimal strings above (offsets may reach 2^63), so
//   the common case parses as a number, not a string to scan and convert.
// Format 3 (still read): t: [["<topic>", [<partition>, ...]], ...], each partition a tuple
//   [<partition>, <committed|null>, <logEnd|null>, <committedRecordTimestamp|null>, <logStart|null>,
//    <retentionMs|null>, "<missing signals>"?], trailing nulls left off when no signal is missing.
// Format 2 (still read): as format 3, with every tuple 6 or 7 long.
// Format 1 (still read): no "a", tuples [<partition>, <committed|null>, <logEnd|null>, <committedRecordTimestamp>?].
// Formats 1–3 write every offset as a decimal string.
//
// When the committed offset is known, logEnd is written as `logEnd − committed` (signed): lag is
// small and often 0, so the payload compresses far better than two full offsets.
// Missing signals: one letter each (l log-start, t record-timestamp, r retention, a assignments),
// only when some are missing.
import { parseOffset } from '../../core/offsets.js';
import { GroupState, MissingSignal, type GroupSnapshot, type PartitionOffsets } from '../../core/types.js';

/** The entry format written now. */
export const ENTRY_FORMAT = 4;

const SIGNAL_LETTERS: Readonly<Record<MissingSignal, string>> = {
  [MissingSignal.LogStart]: 'l',
  [MissingSignal.RecordTimestamp]: 't',
  [MissingSignal.Retention]: 'r',
  [MissingSignal.Assignments]: 'a',
};
const SIGNAL_OF_LETTER = new Map(Object.entries(SIGNAL_LETTERS).map(([signal, letter]) => [letter, signal as MissingSignal]));

type Field = number | string | null;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** An offset (or signed offset difference) as format 4 writes it: a number while exact, else text. */
function offsetField(value: bigint): number | string {
  return value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value.toString(10);
}

/** One partition's fields, trailing nulls left off when no signal is missing. */
function partitionFields(p: PartitionOffsets): Field[] {
  const fields: Field[] = [
    p.partition,
    p.committedOffset === null ? null : offsetField(p.committedOffset),
    p.logEndOffset === null ? null : offsetField(p.committedOffset === null ? p.logEndOffset : p.logEndOffset - p.committedOffset),
    typeof p.committedRecordTimestamp === 'number' ? p.committedRecordTimestamp : null,
    p.logStartOffset == null ? null : offsetField(p.logStartOffset),
    p.retentionMs ?? null,
  ];
  if (p.missingSignals && p.missingSignals.length > 0) fields.push(p.missingSignals.map((m) => SIGNAL_LETTERS[m]).join(''));
  else while (fields.length > 3 && fields[fields.length - 1] === null) fields.pop();
  return fields;
}

/** The format-4 entry of `snapshot.partitions[start, end)`, which are sorted by (topic, partition). */
export function encodeEntry(snapshot: GroupSnapshot, start: number, end: number): Record<string, unknown> {
  const topics: Field[] = [];
  let i = start;
  while (i < end) {
    const topic = snapshot.partitions[i]!.topic;
    const rows: Field[][] = [];
    let stride = 3;
    for (; i < end && snapshot.partitions[i]!.topic === topic; i++) {
      const fields = partitionFields(snapshot.partitions[i]!);
      stride = Math.max(stride, fields.length);
      rows.push(fields);
    }
    topics.push(topic, stride, rows.length);
    for (const fields of rows) {
      for (let f = 0; f < stride; f++) topics.push(fields[f] ?? null);
    }
  }
  const entry: Record<string, unknown> = { g: snapshot.group, s: snapshot.state, m: snapshot.members, t: topics };
  if (snapshot.assignments !== undefined) entry.a = snapshot.assignments;
  if (start !== 0 || end !== snapshot.partitions.length) entry.k = [start, snapshot.partitions.length];
  return entry;
}

/** One group's share of a chunk; `part` is set when the group was split across chunks. */
export interface DecodedEntry {
  readonly group: string;
  readonly state: GroupState;
  readonly members: number | null;
  /** Absent when the chunk did not carry them (format 1, or not collected). */
  readonly assignments?: Record<string, number[]> | null;
  readonly partitions: PartitionOffsets[];
  /** [index of the first partition, partitions in the whole group]; null when the entry is whole. */
  readonly part: readonly [number, number] | null;
}

const GROUP_STATES = new Set<string>(Object.values(GroupState));

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

const SIGNED_DECIMAL = /^-?(0|[1-9][0-9]*)$/;

/** Where a partition sits in its entry, for error messages (built only when one is thrown, and
 * passed as plain arguments: an object per partition would be garbage at 2 million readings). */
const at = (topicIndex: number, topic: string, index: number): string => `t[${topicIndex}] (${topic})[${index}]`;

/** A non-negative offset field: a decimal string (every format) or, in format 4, an exact number. */
function offsetOf(value: unknown, format: number): bigint | null {
  if (typeof value === 'string') return parseOffset(value);
  return format >= 4 && isCount(value) ? BigInt(value) : null;
}

/** The log-end field: `logEnd − committed` (or logEnd when committed is unknown), signed. */
function logEndOf(value: unknown, committed: bigint | null, committedField: unknown, format: number, topicIndex: number, topic: string, index: number): bigint {
  let logEnd: bigint;
  if (typeof value === 'number' && format >= 4 && Number.isSafeInteger(value)) {
    // Committed written as an exact number and the sum exact too: one BigInt, not two and an addition.
    if (committed === null) logEnd = BigInt(value);
    else if (typeof committedField === 'number' && Number.isSafeInteger(committedField + value)) logEnd = BigInt(committedField + value);
    else logEnd = committed + BigInt(value);
  } else if (typeof value === 'string' && SIGNED_DECIMAL.test(value)) {
    logEnd = committed === null ? BigInt(value) : committed + BigInt(value);
  } else {
    throw new Error(`${at(topicIndex, topic, index)}: log-end offset ${JSON.stringify(value)} is not a decimal ${format >= 4 ? 'number or string' : 'string'}`);
  }
  if (logEnd < 0n) throw new Error(`${at(topicIndex, topic, index)}: log-end offset ${logEnd} is negative`);
  return logEnd;
}

/** One partition from its fields (undefined past a tuple's end and null mean "not written"). */
function decodeFields(
  topicIndex: number,
  topic: string,
  index: number,
  format: number,
  partition: unknown,
  committedText: unknown,
  logEndText: unknown,
  recordTs: unknown,
  logStartText: unknown,
  retentionMs: unknown,
  missing: unknown,
): PartitionOffsets {
  if (!isCount(partition)) throw new Error(`${at(topicIndex, topic, index)}: partition ${JSON.stringify(partition)} is not a non-negative integer`);
  let committed: bigint | null = null;
  if (committedText !== null) {
    committed = offsetOf(committedText, format);
    if (committed === null) throw new Error(`${at(topicIndex, topic, index)}: committed offset ${JSON.stringify(committedText)} is not a non-negative decimal ${format >= 4 ? 'number or string' : 'string'}`);
  }
  const logEnd = logEndText === null ? null : logEndOf(logEndText, committed, committedText, format, topicIndex, topic, index);
  if (recordTs != null && !isCount(recordTs)) throw new Error(`${at(topicIndex, topic, index)}: record timestamp ${JSON.stringify(recordTs)} is not epoch milliseconds`);
  // Built key by key in one fixed order; absent keys mean "not read", as the collector writes them.
  const offsets: { -readonly [K in keyof PartitionOffsets]: PartitionOffsets[K] } = { topic, partition, committedOffset: committed, logEndOffset: logEnd };
  if (typeof recordTs === 'number') offsets.committedRecordTimestamp = recordTs;
  if (format === 1) return offsets;
  if (logStartText != null) {
    const logStart = offsetOf(logStartText, format);
    if (logStart === null) throw new Error(`${at(topicIndex, topic, index)}: log-start offset ${JSON.stringify(logStartText)} is not a non-negative decimal ${format >= 4 ? 'number or string' : 'string'}`);
    offsets.logStartOffset = logStart;
  }
  if (retentionMs != null) {
    if (typeof retentionMs !== 'number' || !Number.isSafeInteger(retentionMs) || retentionMs < -1) {
      throw new Error(`${at(topicIndex, topic, index)}: retentionMs ${JSON.stringify(retentionMs)} is not milliseconds (-1 for unlimited)`);
    }
    offsets.retentionMs = retentionMs;
  }
  // Format 4 pads with null; formats 2 and 3 leave the slot off. An empty string is never written.
  if (missing !== undefined && !(format >= 4 && missing === null)) {
    if (typeof missing !== 'string' || missing === '') throw new Error(`${at(topicIndex, topic, index)}: missing signals ${JSON.stringify(missing)} is not a string of letters`);
    const signals: MissingSignal[] = [];
    for (const letter of missing) {
      const signal = SIGNAL_OF_LETTER.get(letter);
      if (signal === undefined) throw new Error(`${at(topicIndex, topic, index)}: missing signal letter ${JSON.stringify(letter)} is unknown`);
      signals.push(signal);
    }
    offsets.missingSignals = signals;
  }
  return offsets;
}

/** A format 1–3 partition tuple. */
function decodeTuple(value: unknown, topicIndex: number, topic: string, index: number, format: number): PartitionOffsets {
  if (format === 1) {
    if (!Array.isArray(value) || value.length < 3 || value.length > 4) throw new Error(`${at(topicIndex, topic, index)}: expected [partition, committed, logEnd, recordTs?]`);
  } else if (!Array.isArray(value) || value.length < (format === 2 ? 6 : 3) || value.length > 7) {
    throw new Error(`${at(topicIndex, topic, index)}: expected [partition, committed, logEnd, recordTs, logStart, retentionMs, missing?]`);
  }
  const v = value as unknown[];
  return decodeFields(topicIndex, topic, index, format, v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
}

/** Format 1–3 topics: [["<topic>", [tuple, ...]], ...]. */
function decodeTupleTopics(topics: unknown[], format: number, partitions: PartitionOffsets[]): void {
  for (let i = 0; i < topics.length; i++) {
    const entry = topics[i];
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) throw new Error(`t[${i}]: expected ["topic", [partitions]]`);
    const topic = entry[0];
    const tuples = entry[1] as unknown[];
    for (let j = 0; j < tuples.length; j++) partitions.push(decodeTuple(tuples[j], i, topic, j, format));
  }
}

/** Format 4 topics: ["<topic>", <stride>, <partitions>, fields..., ...]. */
function decodeFlatTopics(topics: unknown[], partitions: PartitionOffsets[]): void {
  for (let i = 0, topicIndex = 0; i < topics.length; topicIndex++) {
    const topic = topics[i];
    const stride = topics[i + 1];
    const count = topics[i + 2];
    const first = i + 3;
    if (typeof topic !== 'string' || typeof stride !== 'number' || !(stride >= 3 && stride <= 7 && Number.isInteger(stride)) || !isCount(count) || first + stride * count > topics.length) {
      throw new Error(`t[${topicIndex}]: expected "topic", stride 3–7, partitions, then stride × partitions fields`);
    }
    for (let index = 0, k = first; index < count; index++, k += stride) {
      partitions.push(
        decodeFields(
          topicIndex,
          topic,
          index,
          4,
          topics[k],
          topics[k + 1],
          topics[k + 2],
          stride > 3 ? topics[k + 3] : null,
          stride > 4 ? topics[k + 4] : null,
          stride > 5 ? topics[k + 5] : null,
          stride > 6 ? topics[k + 6] : null,
        ),
      );
    }
    i = first + stride * count;
  }
}

function decodeAssignments(value: unknown): Record<string, number[]> | null {
  if (value === null) return null;
  if (!isRecord(value)) throw new Error('assignments a is not an object');
  const out: Record<string, number[]> = {};
  for (const [topic, partitions] of Object.entries(value)) {
    if (!Array.isArray(partitions) || !partitions.every(isCount)) throw new Error(`assignments a[${JSON.stringify(topic)}] is not a list of partitions`);
    out[topic] = partitions;
  }
  return out;
}

/** Decodes one entry; `group` is the name read before the line's tab (formats 3 and 4), else the
 * entry's own "g". Throws (with the reason) when it is unreadable. */
export function decodeEntry(value: unknown, format: number, group: unknown = isRecord(value) ? value.g : undefined): DecodedEntry {
  if (!isRecord(value)) throw new Error('entry is not an object');
  const { s: state, m: members, t: topics, k: part, a: assigned } = value;
  if (typeof group !== 'string' || group === '') throw new Error('group name g is missing');
  if (typeof state !== 'string' || !GROUP_STATES.has(state)) throw new Error(`state ${JSON.stringify(state)} is unknown`);
  if (members !== null && !isCount(members)) throw new Error(`members ${JSON.stringify(members)} is not a count`);
  if (!Array.isArray(topics)) throw new Error('topics t is not an array');
  const partitions: PartitionOffsets[] = [];
  if (format >= 4) decodeFlatTopics(topics, partitions);
  else decodeTupleTopics(topics, format, partitions);
  let range: [number, number] | null = null;
  if (part !== undefined) {
    if (!Array.isArray(part) || part.length !== 2 || !isCount(part[0]) || !isCount(part[1]) || part[0] + partitions.length > part[1]) {
      throw new Error(`part k ${JSON.stringify(part)} is not [first partition index, partitions in the group]`);
    }
    range = [part[0], part[1]];
  }
  const assignments = format === 1 || assigned === undefined ? undefined : decodeAssignments(assigned);
  if (assignments === undefined) return { group, state: state as GroupState, members: members as number | null, partitions, part: range };
  return { group, state: state as GroupState, members: members as number | null, assignments, partitions, part: range };
}
