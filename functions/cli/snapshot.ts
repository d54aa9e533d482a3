// `lagwatch snapshot --brokers HOST:PORT[,HOST:PORT] [--group-pattern P] [--exclude-pattern P] [--json]`: one reading of
// committed and log-end offsets, as a table like `kafka-consumer-groups --describe` or as JSON.
// Exit 0 on success, 2 on bad usage, 1 when the cluster cannot be read; stdout stays empty on error.
import { parseClusterConfig } from '../config/cluster.js';
import { ConfigError, LagwatchError } from '../core/errors.js';
import { formatOffset, lagOf } from '../core/offsets.js';
import type { ClusterSnapshot } from '../core/types.js';
import { createCollector } from '../factories.js';
import { GROUP_FILTER_OPTIONS, UsageError, applyGroupFilter, parseCommandArgs, parseGroupFilter } from '../local/cli-args.js';
import { renderTable } from './table.js';

const USAGE = `usage: lagwatch snapshot --brokers HOST:PORT[,HOST:PORT] [--group-pattern P]... [--exclude-pattern P]...
                         [--json] [--tls] [--name CLUSTER]

One reading of committed and log-end offsets per group-partition. Patterns are globs ('pay-*',
'my-[a-z]*') or regexes between slashes ('/^pay/'); --group-pattern keeps matching groups,
--exclude-pattern drops them; both repeatable.`;

export interface SnapshotRow {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly committedOffset: string | null;
  readonly logEndOffset: string | null;
  readonly lag: string | null;
}

/** One row per group-partition, sorted by (group, topic, partition). */
export function snapshotRows(snapshot: ClusterSnapshot, options: { committedOnly: boolean }): SnapshotRow[] {
  const rows: SnapshotRow[] = [];
  for (const g of [...snapshot.groups].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0))) {
    for (const p of g.partitions) {
      if (options.committedOnly && p.committedOffset === null) continue;
      const lag = lagOf(p.committedOffset, p.logEndOffset);
      rows.push({
        group: g.group,
        topic: p.topic,
        partition: p.partition,
        committedOffset: p.committedOffset === null ? null : formatOffset(p.committedOffset),
        logEndOffset: p.logEndOffset === null ? null : formatOffset(p.logEndOffset),
        lag: lag === null ? null : formatOffset(lag),
      });
    }
  }
  return rows;
}

export function formatSnapshotTable(rows: readonly SnapshotRow[]): string {
  const header = ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG'];
  const cells = rows.map((r) => [r.group, r.topic, String(r.partition), r.committedOffset ?? '-', r.logEndOffset ?? '-', r.lag ?? '-']);
  return `${renderTable(header, cells)}\n`;
}

function usageError(message: string): number {
  process.stderr.write(`lagwatch snapshot: ${message}\n${USAGE}\n`);
  return 2;
}

export async function snapshotCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs('snapshot', USAGE, argv, {
    brokers: { type: 'string' },
    ...GROUP_FILTER_OPTIONS,
    json: { type: 'boolean', default: false },
    tls: { type: 'boolean', default: false },
    name: { type: 'string', default: 'cli' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  if (!values.brokers) return usageError('--brokers is required');

  let cluster;
  try {
    cluster = applyGroupFilter(
      parseClusterConfig(
        { name: values.name, brokers: values.brokers.split(',').map((b) => b.trim()).filter((b) => b.length > 0), tls: values.tls },
        '--',
      ),
      parseGroupFilter(values),
    );
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message);
    if (error instanceof ConfigError) {
      const flag = error.key.replace(/^--\.?/, '').split(/[.[]/)[0] ?? error.key;
      return usageError(`--${flag}: ${error.message.replace(/^config \S+: /, '')}`);
    }
    throw error;
  }

  const collector = createCollector(cluster);
  let snapshot: ClusterSnapshot;
  try {
    snapshot = await collector.collect(Date.now());
  } catch (error) {
    process.stderr.write(`lagwatch snapshot: ${error instanceof LagwatchError ? error.message : String(error)}\n`);
    return error instanceof ConfigError ? 2 : 1;
  } finally {
    await collector.close();
  }

  for (const f of snapshot.failures) process.stderr.write(`lagwatch snapshot: group '${f.group}' could not be read: ${f.error}\n`);
  if (values.json) {
    process.stdout.write(JSON.stringify(snapshotRows(snapshot, { committedOnly: true })) + '\n');
  } else {
    process.stdout.write(formatSnapshotTable(snapshotRows(snapshot, { committedOnly: false })));
  }
  return 0;
}
