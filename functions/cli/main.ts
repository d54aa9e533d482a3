// The `lagwatch` command line: `npm run --silent lagwatch -- <command>`; `npm start` is `lagwatch start`.
import { ConfigError, InputError, LagwatchError, UsageError } from '../core/errors.js';

type Command = (argv: readonly string[]) => Promise<number>;

// Loaded on demand so `evaluate-partition` never pays for kafkajs or the AWS SDK.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  start: { summary: 'watch a cluster (or play the live demo when none is configured)', load: async () => (await import('./start.js')).startCommand },
  demo: { summary: 'run the demo headless: demo --duration <seconds> [--json]', load: async () => (await import('./demo.js')).demoCommand },
  snapshot: { summary: 'read committed and log-end offsets: snapshot --brokers HOST:PORT [--group-pattern REGEX] [--json]', load: async () => (await import('./snapshot.js')).snapshotCommand },
  evaluate: { summary: "evaluate a group's snapshot series (JSON on stdin or --file): evaluate [--json]", load: async () => (await import('./evaluate.js')).evaluateCommand },
  'evaluate-partition': { summary: "Burrow's rules on raw windows (JSON on stdin or --file)", load: async () => (await import('./evaluate.js')).evaluatePartitionCommand },
  backtest: { summary: 'replay stored history through a policy: backtest --store <dir> --policy <file>', load: async () => (await import('./backtest.js')).backtestCommand },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['usage: lagwatch <command> [options]', '', 'commands:', ...lines].join('\n');
}

/** Bad input and config exit 2; a cluster or AWS failure exits 1. Messages go to stderr only. */
export function exitCodeFor(error: unknown): number {
  return error instanceof InputError || error instanceof ConfigError || error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`lagwatch: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  try {
    return await (await command.load())(rest);
  } catch (error) {
    const message = error instanceof LagwatchError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`lagwatch ${name}: ${message}\n`);
    return exitCodeFor(error);
  }
}

process.exitCode = await main(process.argv.slice(2));
