// How one collection run is packed into a few DynamoDB items: every group snapshot of the run as
// one entry (chunk-entries.ts), gzip-compressed, split into chunks that stay well under the 400 KB
// item limit. Packing a run into ~100 KB instead of one item per (group, topic) cuts write units ~8×
// for a typical fleet (figures in docs/aws.md and `npm run bench:cost`).
//
// Chunk payload (formats 3 and 4), before gzip: lines, so a reader keeps each group's entry as text
// and decodes it only when that group is judged (200,000 partitions × 10 runs as objects do not fit
// the evaluator's memory; as text they take a tenth of it):
//   line 1:        { "f": <format>, "c": "<cluster>", "ts": <ms> }
//   each further:  "<group>"<TAB><entry without "g">      (a JSON string never holds a raw tab)
// Formats 1 and 2 (still read) are one JSON object { "f", "c", "ts", "g": [ <entry>, ... ] }.
// The format of the chunk is the format of its entries (chunk-entries.ts says what changed).
import { gunzipSync, gzipSync } from 'node:zlib';
import { comparePartitions } from '../../core/window.js';
import type { GroupSnapshot } from '../../core/types.js';
import { decodeEntry, encodeEntry, ENTRY_FORMAT, isRecord, type DecodedEntry } from './chunk-entries.js';

export type { DecodedEntry } from './chunk-entries.js';

export const CHUNK_FORMAT = ENTRY_FORMAT;
/** Formats unpackChunk reads (1: before the §6.1 signals; 2: one JSON object, not lines; 3: offsets as strings). */
const READABLE_FORMATS: readonly unknown[] = [1, 2, 3, CHUNK_FORMAT];

/** Compressed bytes per chunk: 100 KB of headroom under DynamoDB's 400 KB for keys and attributes. */
export const DEFAULT_MAX_CHUNK_BYTES = 300 * 1024;

/** A slice of one group's partitions (the whole group unless it alone is too big for a chunk). */
interface Piece {
  readonly snapshot: GroupSnapshot;
  readonly start: number;
  readonly end: number;
}

function compress(cluster: string, timestamp: number, pieces: readonly Piece[]): Buffer {
  const lines = [JSON.stringify({ f: CHUNK_FORMAT, c: cluster, ts: timestamp })];
  for (const piece of pieces) {
    const { g, ...entry } = encodeEntry(piece.snapshot, piece.start, piece.end);
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

export interface DecodedChunk {
  readonly entries: DecodedEntry[];
  /** Entries that could not be read: the rest of the chunk is still used. */
  readonly unreadable: { readonly group: string | null; readonly reason: string }[];
}

/** One group's share of a chunk, decoded only when asked for (a class, not a closure per entry:
 * a large cluster has hundreds of thousands of them). */
export class LazyEntry {
  constructor(
    /** null when not even the group's name could be read. */
    readonly group: string | null,
    /** A format-3/4 line's entry text, or a format-1/2 entry as parsed. */
    private readonly source: string | unknown,
    private readonly format: number,
  ) {}

  /** Throws (with the reason) when the entry is unreadable. */
  decode(): DecodedEntry {
    if (this.format < 3) return decodeEntry(this.source, this.format);
    if (this.group === null) throw new Error('no group name before the tab');
    return decodeEntry(JSON.parse(this.source as string), this.format, this.group);
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

/** The group name before a line's tab (the line is text[start, end)). A quoted name with no
 * backslash, quote or control character inside is its own text (that is what JSON.stringify writes
 * for it), so it needs no JSON.parse; anything else is parsed. */
function groupOfLine(text: string, start: number, tab: number): string | null {
  if (tab < start + 2) return null;
  let plain = text.charCodeAt(start) === 34 && text.charCodeAt(tab - 1) === 34;
  for (let i = start + 1; plain && i < tab - 1; i++) {
    const c = text.charCodeAt(i);
    plain = c !== 92 && c !== 34 && c >= 32;
  }
  if (plain) return text.slice(start + 1, tab - 1);
  try {
    const name: unknown = JSON.parse(text.slice(start, tab));
    return typeof name === 'string' ? name : null;
  } catch {
    return null; // the entry is unreadable as a whole
  }
}

function lazyLine(text: string, start: number, end: number, format: number): LazyEntry {
  const tab = text.indexOf('\t', start);
  if (tab === -1 || tab >= end) return new LazyEntry(null, text.slice(start, end), format);
  return new LazyEntry(groupOfLine(text, start, tab), text.slice(tab + 1, end), format);
}

/** Reads one chunk's entries without decoding them (formats 3 and 4 keep each as text until asked).
 * Throws (with the reason) when the chunk as a whole is unreadable or is not the chunk of
 * `cluster` at `timestamp`. */
export function unpackChunkLazily(data: Uint8Array, cluster: string, timestamp: number): LazyEntry[] {
  let text: string;
  try {
    text = gunzipSync(data).toString('utf8');
  } catch (error) {
    throw new Error(`not a gzip-compressed chunk (${error instanceof Error ? error.message : String(error)})`);
  }
  let end = text.indexOf('\n');
  let header: unknown;
  try {
    header = JSON.parse(end === -1 ? text : text.slice(0, end));
  } catch (error) {
    throw new Error(`not a JSON chunk (${error instanceof Error ? error.message : String(error)})`);
  }
  const format = chunkHeader(header, cluster, timestamp);
  if (format >= 3) {
    // Line by line without split(): each entry's text is sliced once, straight from the chunk.
    const lazy: LazyEntry[] = [];
    for (let start = end + 1; end !== -1; start = end + 1) {
      end = text.indexOf('\n', start);
      lazy.push(lazyLine(text, start, end === -1 ? text.length : end, format));
    }
    return lazy;
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
  if (first.part === null && entries.length === 1) return snapshotOf(cluster, timestamp, first, first.partitions);
  const parts = [...entries].sort((a, b) => (a.part?.[0] ?? 0) - (b.part?.[0] ?? 0));
  let next = 0;
  for (const e of parts) {
    if (e.part === null || e.part[0] !== next || e.part[1] !== first.part?.[1]) return null;
    next += e.partitions.length;
  }
  if (next !== first.part?.[1]) return null;
  return snapshotOf(cluster, timestamp, first, parts.flatMap((e) => e.partitions));
}

/** Written out key by key (never spread into): one per group and run, 200,000 per evaluation. */
function snapshotOf(cluster: string, timestamp: number, first: DecodedEntry, partitions: GroupSnapshot['partitions']): GroupSnapshot {
  const { group, state, members } = first;
  if (first.assignments === undefined) return { cluster, group, timestamp, state, members, partitions };
  return { cluster, group, timestamp, state, members, assignments: first.assignments, partitions };
}
