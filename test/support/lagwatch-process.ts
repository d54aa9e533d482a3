// The lagwatch CLI as a child process, the way a user runs it (node + tsx, from the repo root), for
// the tests that check exit codes, stdout/stderr separation and signals end to end.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const MAIN = join(ROOT, 'functions', 'cli', 'main.ts');

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Running {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<number | null>;
}

/** Starts `lagwatch ARGS`; output is collected as it comes. */
export function startLagwatch(args: readonly string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs `lagwatch ARGS` to the end. */
export async function runLagwatch(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  const run = startLagwatch(args, env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** Polls until `check` holds; fails with the output when the process exits first. */
export async function waitUntil(run: Running, check: () => boolean, what: string): Promise<void> {
  for (;;) {
    if (check()) return;
    if (run.child.exitCode !== null) throw new Error(`lagwatch exited before ${what}:\n${run.stdout().slice(-2000)}\n${run.stderr().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
