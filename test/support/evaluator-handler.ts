// The evaluator Lambda's handler module, loaded fresh with a given environment and invoked once,
// with every log entry it wrote (Powertools' JSON lines) captured. Tests of the handler paths that
// need no AWS, or that must fail fast at the first AWS call (`unreachableAws`).
import type { DynamoDBRecord, DynamoDBBatchResponse } from 'aws-lambda';
import { vi } from 'vitest';

export async function invokeEvaluator(
  env: Readonly<Record<string, string>>,
  records: DynamoDBRecord[],
  options: { unreachableAws?: boolean } = {},
): Promise<{ result: DynamoDBBatchResponse; entries: Record<string, unknown>[] }> {
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  if (options.unreachableAws) {
    // Nothing listens there: an evaluation that starts fails fast at its first store read.
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
  }
  // Powertools Logger: POWERTOOLS_DEV makes it write each entry through the global console.
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  const lines: string[] = [];
  const spies = (['log', 'info', 'warn', 'error'] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((line: unknown) => void lines.push(String(line))),
  );
  try {
    vi.resetModules();
    const { handler } = await import('../../functions/handlers/evaluator.js');
    const result = await handler({ Records: records });
    return { result, entries: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}
