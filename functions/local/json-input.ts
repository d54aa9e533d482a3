// Reading JSON input (a config file, a CLI's file or stdin) with an error that names the source.
// In local/ because local mode reads its config with it and the CLI sits above local/.
import { readFile } from 'node:fs/promises';
import { InputError } from '../core/errors.js';

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses JSON from `file` (or stdin when absent); a syntax error names the source. */
export async function readJsonInput(file: string | undefined): Promise<unknown> {
  const source = file ?? 'stdin';
  let text: string;
  try {
    text = file === undefined ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${source}: ${(error as Error).message}`, { cause: error });
  }
  if (text.trim() === '') throw new InputError(`${source} is empty: expected JSON`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(`${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
