// The live terminal view of local mode: one line per group, redrawn every interval. Alerts are
// printed above the table so they stay in the scrollback. Colour only when the output is a TTY.
import { formatCount, formatTimeLag } from '../core/format.js';
import { tableLines } from './table.js';
import type { GroupStatus, GroupVerdict, PartitionStatus, PartitionVerdict } from '../core/types.js';

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  magenta: '\u001b[35m',
  clearLine: '\u001b[2K',
  clearDown: '\u001b[0J',
  up: (n: number): string => `\u001b[${n}A`,
} as const;

const STATUS_COLOUR: Record<GroupStatus | PartitionStatus, string> = {
  OK: ANSI.green,
  WARNING: ANSI.yellow,
  ERROR: ANSI.red,
  NOTFOUND: ANSI.dim,
  STALLED: ANSI.magenta,
  STOPPED: ANSI.red,
  REWIND: ANSI.magenta,
};

const PARTITION_RANK: Record<PartitionStatus, number> = { OK: 0, WARNING: 1, STALLED: 2, STOPPED: 2, REWIND: 2, ERROR: 2 };

export interface ViewOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

function paint(text: string, colour: string, enabled: boolean): string {
  return enabled ? `${colour}${text}${ANSI.reset}` : text;
}


/** The partition to show for a group: the most severe status, then the largest lag, then (topic, partition). */
export function worstPartition(verdict: GroupVerdict): PartitionVerdict | null {
  let worst: PartitionVerdict | null = null;
  for (const p of verdict.partitions) {
    if (worst === null) {
      worst = p;
      continue;
    }
    const rank = PARTITION_RANK[p.status] - PARTITION_RANK[worst.status];
    const lagWins = (p.lag ?? -1n) > (worst.lag ?? -1n);
    if (rank > 0 || (rank === 0 && lagWins)) worst = p;
  }
  return worst;
}

function describePartition(p: PartitionVerdict | null, colour: boolean): string {
  if (p === null) return '-';
  const lag = p.lag === null ? (p.noCommits ? 'no commits' : 'lag ?') : `lag ${formatCount(p.lag)}`;
  const notes: string[] = [];
  if (p.insufficientData) notes.push('warming up');
  if (p.topicRecreated) notes.push('topic recreated');
  if (p.notAssigned) notes.push('not assigned');
  const suffix = notes.length > 0 ? ` (${notes.join(', ')})` : '';
  const rule = p.status === 'OK' ? '' : ` ${p.rule}`;
  return `${p.topic}[${p.partition}] ${paint(p.status, STATUS_COLOUR[p.status], colour)}${rule} ${lag}${suffix}`;
}

export interface TableOptions {
  readonly colour: boolean;
}

export const TABLE_HEADER = ['CLUSTER', 'GROUP', 'STATUS', 'TOTAL LAG', 'TIME LAG', 'WORST PARTITION'] as const;

/** The table lines for a set of verdicts, sorted by (cluster, group). Pure: the tests read it. */
export function renderTable(verdicts: readonly GroupVerdict[], options: TableOptions): string[] {
  const sorted = [...verdicts].sort((a, b) =>
    a.cluster !== b.cluster ? (a.cluster < b.cluster ? -1 : 1) : a.group < b.group ? -1 : a.group > b.group ? 1 : 0,
  );
  const rows = sorted.map((v) => [
    v.cluster,
    v.group,
    paint(v.status, STATUS_COLOUR[v.status], options.colour) + (v.stale ? ' (stale)' : ''),
    formatCount(v.totalLag),
    formatTimeLag(v.maxTimeLag),
    describePartition(worstPartition(v), options.colour),
  ]);
  const [header, ...lines] = tableLines(TABLE_HEADER, rows);
  return [paint(header!, ANSI.bold, options.colour), ...lines];
}

/** A redrawing view: on a TTY the table is rewritten in place; otherwise each refresh is appended. */
export class LiveView {
  private readonly tty: boolean;
  /** The table drawn last (TTY only): redrawn below any line printed between refreshes. */
  private drawn: string[] = [];
  private status = '';

  constructor(
    private readonly out: ViewOutput,
    options: { colour?: boolean } = {},
  ) {
    this.tty = options.colour ?? out.isTTY === true;
  }

  /** Removes the table drawn last (TTY only) so new text goes where it was. */
  private clearTable(): void {
    if (this.tty && this.drawn.length > 0) this.out.write(`${ANSI.up(this.drawn.length)}\r${ANSI.clearDown}`);
  }

  private drawTable(): void {
    if (this.tty && this.drawn.length > 0) this.out.write(`${this.drawn.join('\n')}\n`);
  }

  /** A progress line (broker start, jar download): rewritten in place on a TTY. */
  progress(message: string): void {
    if (this.tty) {
      this.out.write(`\r${ANSI.clearLine}${paint(message, ANSI.dim, true)}`);
      this.status = message;
    } else {
      this.out.write(`${message}\n`);
    }
  }

  /** Ends a progress line so the next output starts on a fresh line. */
  endProgress(): void {
    if (this.tty && this.status !== '') this.out.write(`\r${ANSI.clearLine}`);
    this.status = '';
  }

  /** Text that must stay visible (alerts, warnings): printed above the table, which is redrawn
   * below it at once (never left blank until the next tick). */
  message(text: string): void {
    this.endProgress();
    this.clearTable();
    this.out.write(text.endsWith('\n') ? text : `${text}\n`);
    this.drawTable();
  }

  /**
   * Draws the verdicts under `heading`. `stale` (the cluster could not be read this tick) keeps the
   * verdicts on screen, marked, with the error in the heading: they are the last ones judged on data.
   */
  render(verdicts: readonly GroupVerdict[], heading: string, stale: string | null = null): void {
    this.endProgress();
    this.clearTable();
    const head = stale === null ? paint(heading, ANSI.dim, this.tty) : `${paint(heading, ANSI.dim, this.tty)}\n${paint(`STALE: ${stale}`, ANSI.yellow, this.tty)}`;
    const lines = [...head.split('\n'), ...renderTable(verdicts, { colour: this.tty })];
    if (verdicts.length === 0) lines.push(stale === null ? '(no consumer groups yet)' : '(no verdicts yet: the cluster has not been read)');
    this.out.write(`${lines.join('\n')}\n`);
    // Non-TTY output is a log: keep every table, with a blank line between refreshes.
    if (this.tty) this.drawn = lines;
    else this.out.write('\n');
  }
}
