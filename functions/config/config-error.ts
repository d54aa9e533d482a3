// How a bad config value becomes a ConfigError, for every config parser (cluster, policy, app and
// local config): the first zod issue names its key, and a file name can be added to any message.
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/** `clusters[0].sasl.mechanism` from a zod path, prefixed. */
export function configKey(prefix: string, path: readonly PropertyKey[]): string {
  let key = prefix;
  for (const part of path) {
    if (typeof part === 'number') key += `[${part}]`;
    else key += key === '' ? String(part) : `.${String(part)}`;
  }
  return key || '(root)';
}

/** The error `error` with `(in FILE)` added to its message; the key stays. */
export function inFile(error: ConfigError, where: string | null): ConfigError {
  if (where === null) return error;
  const prefix = `config ${error.key}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return new ConfigError(error.key, `${message} (in ${where})`, { cause: error });
}

/** A ConfigError naming the first bad key of a failed parse, e.g. `policy.overrides[0].windowSize`;
 * `where` (a file name) is added to the message. */
export function configErrorOf(error: z.ZodError, prefix: string, where: string | null = null): ConfigError {
  const issue = error.issues[0];
  if (issue === undefined) return inFile(new ConfigError(prefix || '(root)', 'invalid', { cause: error }), where);
  let path: readonly PropertyKey[] = issue.path;
  let message = issue.message;
  // An unknown discriminator (e.g. a SASL mechanism): zod names the key and the accepted values.
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options) && issue.options.length > 0) {
    message = `must be one of ${issue.options.join(', ')}`;
  }
  // A misspelt key: name the key itself, not the object holding it.
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) {
    path = [...path, issue.keys[0]];
    message = 'unknown key (check the spelling against docs/config.md)';
  }
  return inFile(new ConfigError(configKey(prefix, path), message, { cause: error }), where);
}
