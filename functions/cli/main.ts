// The `lagwatch` command line: `npm run --silent lagwatch -- <command>`; `npm start` is `lagwatch start`.
import { describeError, exitCodeFor } from './exit.js';

type Command = (argv: readonly string[]) => Promise<number>;

// Loaded on demand so `evaluate-partition` never pays for kafkajs or the AWS SDK.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  start: { summary: 'watch a cluster (or play the live demo when none is configured)', load: async () => (await import('./start.js')).startCommand },
  demo: { summary: 'run the demo headless: demo --duration <seconds> [--json]', load: async () => (await import('./demo.js')).demoCommand },
  snapshot: { summary: 'read committed and log-end offsets: snapshot --brokers HOST:PORT [--group-pattern P] [--exclude-pattern P] [--json]', load: async () => (await import('./snapshot.js')).snapshotCommand },
  evaluate: { summary: "evaluate a group's snapshot series (JSON on stdin or --file): evaluate [--json]", load: async () => (await import('./evaluate.js')).evaluateCommand },
  'evaluate-partition': { summary: "Burrow's rules on raw windows (JSON on stdin or --file)", load: async () => (await import('./evaluate.js')).evaluatePartitionCommand },
  status: { summary: 'what a deployed lagwatch sees: status --table NAME [--region R] [--cluster C]', load: async () => (await import('./status.js')).statusCommand },
  backtest: { summary: 'replay stored history through a policy: backtest --store <dir> (--policy <file> | --config <file>)', load: async () => (await import('./backtest.js')).backtestCommand },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['usage: lagwatch <command> [options]', '', 'commands:', ...lines].join('\n');
}

// The AWS SDK's multi-line notice that its 2027 releases need Node 22 (README: Node 22 recommended,
// 20.19 the minimum) would bury `status`'s one-line answers; the SDK's own switch turns it off.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

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
  const verbose = rest.includes('--verbose');
  // A failure in a background task (a kafkajs socket, a timer) still ends in one line, not a trace.
  const fatal = (error: unknown): void => {
    process.stderr.write(`lagwatch ${name}: ${describeError(error, verbose)}\n`);
    process.exit(exitCodeFor(error));
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  try {
    return await (await command.load())(rest);
  } catch (error) {
    process.stderr.write(`lagwatch ${name}: ${describeError(error, verbose)}\n`);
    return exitCodeFor(error);
  }
}

process.exitCode = await main(process.argv.slice(2));
