// Kafka's own tools as an independent oracle for the tests and the benchmark.
import { CONSUMER_GROUP_COMMAND, runKafkaTool } from '../../functions/local/kafka-jars.js';

export interface DescribeRow {
  group: string;
  topic: string;
  partition: number;
  /** null where the tool prints "-" (no commit). */
  committedOffset: string | null;
  logEndOffset: string | null;
  lag: string | null;
}

const dash = (v: string | undefined): string | null => (v === undefined || v === '-' ? null : v);

/** Parses `kafka-consumer-groups --describe` output (any column order; header lines start with GROUP). */
export function parseDescribeOutput(stdout: string): DescribeRow[] {
  const rows: DescribeRow[] = [];
  let columns: string[] | null = null;
  for (const line of stdout.split('\n')) {
    const cells = line.trim().split(/\s+/);
    if (cells[0] === 'GROUP') {
      columns = cells;
      continue;
    }
    if (!columns || cells.length < 6 || line.trim() === '') continue;
    const get = (name: string): string | undefined => cells[columns!.indexOf(name)];
    const partition = Number(get('PARTITION'));
    if (!Number.isInteger(partition)) continue;
    rows.push({
      group: get('GROUP') ?? '',
      topic: get('TOPIC') ?? '',
      partition,
      committedOffset: dash(get('CURRENT-OFFSET')),
      logEndOffset: dash(get('LOG-END-OFFSET')),
      lag: dash(get('LAG')),
    });
  }
  return rows.sort((a, b) => a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** Runs ConsumerGroupCommand --describe (for `groups`, or --all-groups) and parses its table. */
export async function describeGroupsWithKafka(
  libsDir: string,
  bootstrap: string,
  groups: readonly string[] | 'all',
): Promise<DescribeRow[]> {
  const selection = groups === 'all' ? ['--all-groups'] : groups.flatMap((g) => ['--group', g]);
  const result = await runKafkaTool(libsDir, CONSUMER_GROUP_COMMAND, ['--bootstrap-server', bootstrap, '--describe', ...selection]);
  if (result.code !== 0) throw new Error(`ConsumerGroupCommand exited ${result.code}: ${result.stderr.slice(-2000)}`);
  return parseDescribeOutput(result.stdout);
}
