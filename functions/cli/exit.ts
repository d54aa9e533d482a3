// How a failed command ends: its exit code and the one line it prints (main.ts and the tests).
import { ConfigError, InputError, LagwatchError, UsageError } from '../core/errors.js';

/** Bad input and config exit 2; a cluster or AWS failure exits 1. Messages go to stderr only. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof InputError || error instanceof ConfigError || error instanceof UsageError) return 2;
  // node's parseArgs codes are strings; kafkajs puts Kafka's numeric error code in `code` too.
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
}

/**
 * One line for the terminal: what failed and what to do. lagwatch's own errors say both already;
 * anything else (a kafkajs or SDK error, a bug) gets its name and a pointer to --verbose, which
 * prints the full message, causes and stack.
 */
export function describeError(error: unknown, verbose: boolean): string {
  if (verbose) {
    const parts: string[] = [];
    for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
      parts.push(depth === 0 ? '' : 'caused by: ', e instanceof Error ? (e.stack ?? e.message) : String(e), '\n');
    }
    return parts.join('').trimEnd();
  }
  const text = error instanceof Error ? error.message : String(error);
  const [first = '', ...rest] = text.split('\n').filter((l) => l.trim() !== '');
  const more = rest.length > 0 ? ' (details: run again with --verbose)' : '';
  if (error instanceof LagwatchError || (error instanceof Error && error.name === 'AbortError')) return `${first}${more}`;
  const kind = error instanceof Error ? error.name : 'error';
  return `${kind}: ${first}${more || ' (run again with --verbose for the stack trace)'}`;
}
