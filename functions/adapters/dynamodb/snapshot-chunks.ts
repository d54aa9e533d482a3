// How one collection run is packed into a few DynamoDB items: every group snapshot of the run in a
// compact JSON shape, gzip-compressed, split into chunks that stay well under the 400 KB item limit.
// Packing a run into ~100 KB instead of one item per (group, topic) cuts write units ~8× for a
// typical fleet (figures in docs/aws.md and `npm run bench:cost`).
//
// Chunk payload (format 3), before gzip: lines, so a reader keeps each group's entry as text and
// decodes it only when that group is judged (200,000 partitions × 10 runs as objects do not fit the
// evaluator's memory; as text they take a tenth of it):
//   line 1:        { "f": 3, "c": "<cluster>", "ts": <ms> }
//   each further:  "<group>"<TAB><entry without "g">      (a JSON string never holds a raw tab)
// Format 2 (still read) is one JSON object { "f": 2, "c", "ts", "g": [ <entry>, ... ] }.
//   entry: { "g": "<group>", "s": "<state>", "m": <members|null>, "t": [["<topic>", [<partition>, ...]], ...],
//            "a": {"<topic>": [<assigned partition>, ...], ...} | null,                (a only when collected)
//            "k": [<first partition index>, <partitions in the whole group>] }   (k only when the group is split)
//   partition: [<partition>, <committed|null>, <logEnd|null>, <committedRecordTimestamp|null>,
//               <logStart|null>, <retentionMs|null>, "<missing signals>"?]
//   (format 3 leaves trailing nulls off when no signal is missing: [<partition>, <committed>, <logEnd>] is whole)
//   missing signals: one letter each (l log-start, t record-timestamp, r retention, a assignments),
//   only when some are missing. Format 1 (still read) is the same without "a", and its partitions
//   are [<partition>, <committed|null>, <logEnd|null>, <committedRecordTimestamp>?].
// Offsets are decimal strings (they may exceed 2^53). When the committed offset is known, logEnd is
// written as `logEnd − committed` (a signed decimal string): lag is small and often 0, so the
// payload compresses far better than two full offsets.
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseOffset } from '../../core/offsets.js';
import { GroupState, MissingSignal, type GroupSnapshot, type PartitionOffsets } from '../../core/types.js';

export const CHUNK_FORMAT = 3;
/** Formats unpackChunk reads (format 1: before the §6.1 signals; 2: one JSON object, not lines). */
const READABLE_FORMATS: readonly unknown[] = [1, 2, CHUNK_FORMAT];

const SIGNAL_LETTERS: Readonly<Record<MissingSignal, string>> = {
  [MissingSignal.LogStart]: 'l',
  [MissingSignal.RecordTimestamp]: 't',
  [MissingSignal.Retention]: 'r',
  [MissingSignal.Assignments]: 'a',
};
const SIGNAL_OF_LETTER = new Map(Object.entries(SIGNAL_LETTERS).map(([signal, letter]) => [letter, signal as MissingSignal]));

/** Compressed bytes per chunk: 100 KB of headroom under DynamoDB's 400 KB for keys and attributes. */
export const DEFAULT_MAX_CHUNK_BYTES = 300 * 1024;

type PartitionTuple = (number | string | null)[];

/** A slice of one group's partitions (the whole group unless it alone is too big for a chunk). */
interface Piece {
  readonly snapshot: GroupSnapshot;
  readonly start: number;
  readonly end: number;
}

function comparePartitions(a: PartitionOffsets, b: PartitionOffsets): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

function encodePiece(piece: Piece): Record<string, unknown> {
  const { snapshot, start, end } = piece;
  const topics: [string, PartitionTuple[]][] = [];
  for (const p of snapshot.partitions.slice(start, end)) {
    let last = topics[topics.length - 1];
    if (last === undefined || last[0] !== p.topic) {
      last = [p.topic, []];
      topics.push(last);
    }
    const committed = p.committedOffset === null ? null : p.committedOffset.toString(10);
    const logEnd =
      p.logEndOffset === null ? null : (p.committedOffset === null ? p.logEndOffset : p.logEndOffset - p.committedOffset).toString(10);
    const tuple: PartitionTuple = [
      p.partition,
      committed,
      logEnd,
      typeof p.committedRecordTimestamp === 'number' ? p.committedRecordTimestamp : null,
      p.logStartOffset == null ? null : p.logStartOffset.toString(10),
      p.retentionMs ?? null,
    ];
    if (p.missingSignals && p.missingSignals.length > 0) tuple.push(p.missingSignals.map((m) => SIGNAL_LETTERS[m]).join(''));
    // Signals not read are trailing nulls: left off (format 3), they are most of a quiet partition's text.
    else while (tuple.length > 3 && tuple[tuple.length - 1] === null) tuple.pop();
    last[1].push(tuple);
  }
  const entry: Record<string, unknown> = { g: snapshot.group, s: snapshot.state, m: snapshot.members, t: topics };
  if (snapshot.assignments !== undefined) entry.a = snapshot.assignments;
  if (start !== 0 || end !== snapshot.partitions.length) entry.k = [start, snapshot.partitions.length];
  return entry;
}

function compress(cluster: string, timestamp: number, pieces: readonly Piece[]): Buffer {
  const lines = [JSON.stringify({ f: CHUNK_FORMAT, c: cluster, ts: timestamp })];
  for (const piece of pieces) {
    const { g, ...entry } = encodePiece(piece);
    lines.push(`${JSON.stringify(g)}\t${JSON.stringify(entry)}`);
  }
  return gzipSync(lines.join('\n'));
}

/**
 * The compressed chunks of one run, each at most `maxChunkBytes`. A chunk that comes out too big is
 * split in two (by groups; a single group too big on its own is split by partitions), so a few
 * huge groups cannot push an item over the limit.
 */
export function packRun(cluster: string, timestamp: number, groups: readonly GroupSnapshot[], maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES): Buffer[] {
  // Sorted partitions make the topic runs contiguous and the split points deterministic.
  const pieces: Piece[] = groups.map((g) => {
    const snapshot = { ...g, partitions: [...g.partitions].sort(comparePartitions) };
    return { snapshot, start: 0, end: snapshot.partitions.length };
  });
  const fit = (list: readonly Piece[]): Buffer[] => {
    const packed = compress(cluster, timestamp, list);
    if (packed.byteLength <= maxChunkBytes || list.length === 0) return [packed];
    if (list.length > 1) {
      const half = Math.ceil(list.length / 2);
      return [...fit(list.slice(0, half)), ...fit(list.slice(half))];
    }
    const [piece] = list as [Piece];
    if (piece.end - piece.start <= 1) {
      throw new Error(
        `group ${piece.snapshot.group}: one partition does not fit in ${maxChunkBytes} compressed bytes; raise maxChunkBytes`,
      );
    }
    const middle = piece.start + Math.ceil((piece.end - piece.start) / 2);
    return [...fit([{ ...piece, end: middle }]), ...fit([{ ...piece, start: middle }])];
  };
  return fit(pieces);
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

export interface DecodedChunk {
  readonly entries: DecodedEntry[];
  /** Entries that could not be read: the rest of the chunk is still used. */
  readonly unreadable: { readonly group: string | null; readonly reason: string }[];
}

const GROUP_STATES = new Set<string>(Object.values(GroupState));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

const SIGNED_DECIMAL = /^-?(0|[1-9][0-9]*)$/;

function decodePartition(topic: string, value: unknown, where: string, format: number): PartitionOffsets {
  if (format === 1) {
    if (!Array.isArray(value) || value.length < 3 || value.length > 4) throw new Error(`${where}: expected [partition, committed, logEnd, recordTs?]`);
  } else if (!Array.isArray(value) || value.length < (format === 2 ? 6 : 3) || value.length > 7) {
    throw new Error(`${where}: expected [partition, committed, logEnd, recordTs, logStart, retentionMs, missing?]`);
  }
  const [partition, committedText, logEndText, recordTs, logStartText, retentionMs, missing] = value as unknown[];
  if (!isCount(partition)) throw new Error(`${where}: partition ${JSON.stringify(partition)} is not a non-negative integer`);
  let committed: bigint | null = null;
  if (committedText !== null) {
    committed = parseOffset(typeof committedText === 'string' ? committedText : undefined);
    if (committed === null) throw new Error(`${where}: committed offset ${JSON.stringify(committedText)} is not a non-negative decimal string`);
  }
  let logEnd: bigint | null = null;
  if (logEndText !== null) {
    if (typeof logEndText !== 'string' || !SIGNED_DECIMAL.test(logEndText)) {
      throw new Error(`${where}: log-end offset ${JSON.stringify(logEndText)} is not a decimal string`);
    }
    logEnd = committed === null ? BigInt(logEndText) : committed + BigInt(logEndText);
    if (logEnd < 0n) throw new Error(`${where}: log-end offset ${logEnd} is negative`);
  }
  const offsets: PartitionOffsets = { topic, partition, committedOffset: committed, logEndOffset: logEnd };
  if (recordTs !== undefined && recordTs !== null && !isCount(recordTs)) {
    throw new Error(`${where}: record timestamp ${JSON.stringify(recordTs)} is not epoch milliseconds`);
  }
  const withRecord = typeof recordTs === 'number' ? { ...offsets, committedRecordTimestamp: recordTs } : offsets;
  if (format === 1) return withRecord;
  let logStart: bigint | null = null;
  if (logStartText != null) {
    logStart = parseOffset(typeof logStartText === 'string' ? logStartText : undefined);
    if (logStart === null) throw new Error(`${where}: log-start offset ${JSON.stringify(logStartText)} is not a non-negative decimal string`);
  }
  if (retentionMs != null && (typeof retentionMs !== 'number' || !Number.isSafeInteger(retentionMs) || retentionMs < -1)) {
    throw new Error(`${where}: retentionMs ${JSON.stringify(retentionMs)} is not milliseconds (-1 for unlimited)`);
  }
  const signals: MissingSignal[] = [];
  if (missing !== undefined) {
    if (typeof missing !== 'string' || missing === '') throw new Error(`${where}: missing signals ${JSON.stringify(missing)} is not a string of letters`);
    for (const letter of missing) {
      const signal = SIGNAL_OF_LETTER.get(letter);
      if (signal === undefined) throw new Error(`${where}: missing signal letter ${JSON.stringify(letter)} is unknown`);
      signals.push(signal);
    }
  }
  // null and absent mean the same ("not read"); absent keeps snapshots without signals unchanged.
  return {
    ...withRecord,
    ...(logStart === null ? {} : { logStartOffset: logStart }),
    ...(retentionMs == null ? {} : { retentionMs }),
    ...(signals.length > 0 ? { missingSignals: signals } : {}),
  };
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

function decodeEntry(value: unknown, format: number): DecodedEntry {
  if (!isRecord(value)) throw new Error('entry is not an object');
  const { g: group, s: state, m: members, t: topics, k: part, a: assigned } = value;
  if (typeof group !== 'string' || group === '') throw new Error('group name g is missing');
  if (typeof state !== 'string' || !GROUP_STATES.has(state)) throw new Error(`state ${JSON.stringify(state)} is unknown`);
  if (members !== null && !isCount(members)) throw new Error(`members ${JSON.stringify(members)} is not a count`);
  if (!Array.isArray(topics)) throw new Error('topics t is not an array');
  const partitions: PartitionOffsets[] = [];
  topics.forEach((entry: unknown, i) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) throw new Error(`t[${i}]: expected ["topic", [partitions]]`);
    const topic = entry[0];
    (entry[1] as unknown[]).forEach((p, j) => partitions.push(decodePartition(topic, p, `t[${i}] (${topic})[${j}]`, format)));
  });
  let range: [number, number] | null = null;
  if (part !== undefined) {
    if (!Array.isArray(part) || part.length !== 2 || !isCount(part[0]) || !isCount(part[1]) || part[0] + partitions.length > part[1]) {
      throw new Error(`part k ${JSON.stringify(part)} is not [first partition index, partitions in the group]`);
    }
    range = [part[0], part[1]];
  }
  const assignments = format === 1 || assigned === undefined ? undefined : decodeAssignments(assigned);
  return {
    group,
    state: state as GroupState,
    members: members as number | null,
    ...(assignments === undefined ? {} : { assignments }),
    partitions,
    part: range,
  };
}

/** One group's share of a chunk, decoded only when asked for (a class, not a closure per entry:
 * a large cluster has hundreds of thousands of them). */
export class LazyEntry {
  constructor(
    /** null when not even the group's name could be read. */
    readonly group: string | null,
    /** A format-3 line's entry text, or a format-1/2 entry as parsed. */
    private readonly source: string | unknown,
    private readonly format: number,
  ) {}

  /** Throws (with the reason) when the entry is unreadable. */
  decode(): DecodedEntry {
    if (this.format !== CHUNK_FORMAT) return decodeEntry(this.source, this.format);
    if (this.group === null) throw new Error('no group name before the tab');
    const entry: unknown = JSON.parse(this.source as string);
    if (!isRecord(entry)) throw new Error('entry is not an object');
    return decodeEntry({ ...entry, g: this.group }, CHUNK_FORMAT);
  }
}

function chunkHeader(header: unknown, cluster: string, timestamp: number): number {
  if (!isRecord(header)) throw new Error('chunk is not a JSON object');
  if (!READABLE_FORMATS.includes(header.f)) throw new Error(`chunk format ${JSON.stringify(header.f)} is not one of ${READABLE_FORMATS.join(', ')}`);
  if (header.c !== cluster || header.ts !== timestamp) {
    throw new Error(`chunk holds cluster ${JSON.stringify(header.c)} at ${JSON.stringify(header.ts)}, not ${cluster} at ${timestamp}`);
  }
  return header.f as number;
}

function lazyLine(line: string): LazyEntry {
  const tab = line.indexOf('\t');
  let group: string | null = null;
  try {
    const name: unknown = tab > 0 ? JSON.parse(line.slice(0, tab)) : null;
    if (typeof name === 'string') group = name;
  } catch {
    // group stays null: the entry is unreadable as a whole
  }
  return new LazyEntry(group, line.slice(tab + 1), CHUNK_FORMAT);
}

/** Reads one chunk's entries without decoding them (format 3 keeps each as text until asked).
 * Throws (with the reason) when the chunk as a whole is unreadable or is not the chunk of
 * `cluster` at `timestamp`. */
export function unpackChunkLazily(data: Uint8Array, cluster: string, timestamp: number): LazyEntry[] {
  let text: string;
  try {
    text = gunzipSync(data).toString('utf8');
  } catch (error) {
    throw new Error(`not a gzip-compressed chunk (${error instanceof Error ? error.message : String(error)})`);
  }
  const end = text.indexOf('\n');
  let header: unknown;
  try {
    header = JSON.parse(end === -1 ? text : text.slice(0, end));
  } catch (error) {
    throw new Error(`not a JSON chunk (${error instanceof Error ? error.message : String(error)})`);
  }
  const format = chunkHeader(header, cluster, timestamp);
  if (format === CHUNK_FORMAT) {
    if (end === -1) return [];
    return text.slice(end + 1).split('\n').map(lazyLine);
  }
  // Formats 1 and 2: one JSON object holding every entry, decoded when asked like the others.
  const { g: entries } = header as Record<string, unknown>;
  if (!Array.isArray(entries)) throw new Error('group list g is missing');
  return entries.map((value: unknown) => new LazyEntry(isRecord(value) && typeof value.g === 'string' ? value.g : null, value, format));
}

/** Reads one chunk, every entry decoded. Throws (with the reason) when the chunk as a whole is
 * unreadable or is not the chunk of `cluster` at `timestamp`; a bad entry only lands in `unreadable`. */
export function unpackChunk(data: Uint8Array, cluster: string, timestamp: number): DecodedChunk {
  const entries: DecodedEntry[] = [];
  const unreadable: { group: string | null; reason: string }[] = [];
  for (const lazy of unpackChunkLazily(data, cluster, timestamp)) {
    try {
      entries.push(lazy.decode());
    } catch (error) {
      unreadable.push({ group: lazy.group, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { entries, unreadable };
}

/**
 * Joins the entries of one group at one time back into a snapshot. Null when a split group is
 * missing a part (its chunk was unreadable or missing): a partial group would read as lost partitions.
 */
export function joinEntries(cluster: string, timestamp: number, entries: readonly DecodedEntry[]): GroupSnapshot | null {
  const first = entries[0];
  if (first === undefined) return null;
  const assignments = first.assignments === undefined ? {} : { assignments: first.assignments };
  if (first.part === null && entries.length === 1) {
    return { cluster, group: first.group, timestamp, state: first.state, members: first.members, ...assignments, partitions: first.partitions };
  }
  const parts = [...entries].sort((a, b) => (a.part?.[0] ?? 0) - (b.part?.[0] ?? 0));
  let next = 0;
  for (const e of parts) {
    if (e.part === null || e.part[0] !== next || e.part[1] !== first.part?.[1]) return null;
    next += e.partitions.length;
  }
  if (next !== first.part?.[1]) return null;
  return {
    cluster,
    group: first.group,
    timestamp,
    state: first.state,
    members: first.members,
    ...assignments,
    partitions: parts.flatMap((e) => e.partitions),
  };
}
