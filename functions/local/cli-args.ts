// Argument handling shared by the local commands (start, demo, backtest): node:util parseArgs in
// strict mode, --help, and exit code 2 with a message naming the bad flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors.js';
import { compilePattern } from '../core/policy.js';
import type { ClusterConfig } from '../config/cluster.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type ParsedValues<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; strict: true; allowPositionals: false; options: O }>
>['values'];

export { UsageError };

/**
 * Parses `argv` against `options` (which must declare `help`). Returns the values, or the exit code
 * when the command must stop here: 0 after printing the usage for --help, 2 after a parse error.
 */
export function parseCommandArgs<const O extends Options & { help: { type: 'boolean' } }>(
  command: string,
  usage: string,
  argv: readonly string[],
  options: O,
): { readonly values: ParsedValues<O> } | { readonly exit: number } {
  const swallowed = flagsTakenByNpm(Object.keys(options), process.env);
  if (swallowed.length > 0) {
    const flags = swallowed.map((f) => `--${f}`).join(' ');
    process.stderr.write(
      `lagwatch ${command}: npm took ${flags} as its own config, so lagwatch never saw ${swallowed.length > 1 ? 'them' : 'it'}; ` +
        `put -- before lagwatch's flags, e.g. npm start -- ${flags} …\n`,
    );
    return { exit: 2 };
  }
  let values: ParsedValues<O>;
  try {
    values = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values as ParsedValues<O>;
  } catch (error) {
    process.stderr.write(`lagwatch ${command}: ${(error as Error).message}\n\n${usage}\n`);
    return { exit: 2 };
  }
  if ((values as { help?: boolean }).help === true) {
    process.stdout.write(`${usage}\n`);
    return { exit: 0 };
  }
  return { values };
}

/**
 * Flags of this command that npm swallowed: `npm start --brokers h:9092` (no `--`) makes npm read
 * `--brokers` as its own config and hand it to the script only as `npm_config_brokers`. Only when
 * running under npm (`npm_lifecycle_event` set).
 */
export function flagsTakenByNpm(optionNames: readonly string[], env: NodeJS.ProcessEnv): string[] {
  if (env['npm_lifecycle_event'] === undefined) return [];
  return optionNames.filter((name) => name !== 'help' && env[`npm_config_${name.replace(/-/g, '_')}`] !== undefined);
}

/** Runs a command body; a UsageError becomes exit code 2 with its message on stderr. */
export async function exitOnUsageError(command: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`lagwatch ${command}: ${error.message}\n`);
    return 2;
  }
}

/** "127.0.0.1:9092,host:9093" → list; a bad entry names the flag. */
export function parseBrokerList(value: string, flag: string): string[] {
  const brokers = value
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (brokers.length === 0 || !brokers.every((b) => /^[^\s:/]+:[0-9]{1,5}$/.test(b))) {
    throw new UsageError(`${flag} expects HOST:PORT[,HOST:PORT...], got ${JSON.stringify(value)}`);
  }
  return brokers;
}

export function positiveNumber(value: string | undefined, flag: string, options: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const min = options.min ?? Number.MIN_VALUE;
  if (!Number.isFinite(n) || n < min || (options.max !== undefined && n > options.max) || (options.integer && !Number.isInteger(n))) {
    const range = options.max !== undefined ? ` between ${options.min ?? 0} and ${options.max}` : ' greater than 0';
    throw new UsageError(`${flag} expects ${options.integer ? 'an integer' : 'a number'}${range}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** --webhook: a URL, checked at startup rather than at the first alert. */
export function webhookUrl(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!URL.canParse(value)) throw new UsageError(`--webhook expects a URL, got ${JSON.stringify(value)}`);
  return value;
}

/** The group filter flags of start and snapshot: repeatable, the one pattern syntax (glob or /regex/). */
export const GROUP_FILTER_OPTIONS = {
  'group-pattern': { type: 'string', multiple: true },
  'exclude-pattern': { type: 'string', multiple: true },
} as const;

export interface GroupFilterFlags {
  readonly 'group-pattern'?: readonly string[] | undefined;
  readonly 'exclude-pattern'?: readonly string[] | undefined;
}

/** The checked filter flags: --group-pattern replaces a cluster's allow list, --exclude-pattern adds
 * to its deny list. */
export interface GroupFilter {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

/** Checks the filter flags before anything starts; a pattern that does not compile is a UsageError
 * naming the flag and the pattern. */
export function parseGroupFilter(flags: GroupFilterFlags): GroupFilter {
  const allow = flags['group-pattern'] ?? [];
  const deny = flags['exclude-pattern'] ?? [];
  for (const [flag, patterns] of [['--group-pattern', allow], ['--exclude-pattern', deny]] as const) {
    for (const pattern of patterns) {
      try {
        compilePattern(pattern);
      } catch (error) {
        throw new UsageError(`${flag}: ${(error as Error).message}`);
      }
    }
  }
  return { allow, deny };
}

export function applyGroupFilter(cluster: ClusterConfig, filter: GroupFilter): ClusterConfig {
  if (filter.allow.length === 0 && filter.deny.length === 0) return cluster;
  return {
    ...cluster,
    groups: { allow: filter.allow.length > 0 ? [...filter.allow] : cluster.groups.allow, deny: [...cluster.groups.deny, ...filter.deny] },
  };
}
