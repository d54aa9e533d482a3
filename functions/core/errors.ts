// Every error lagwatch raises on purpose. Each names the bad input (field, key, cluster, broker,
// file) and says what to do. Verdicts are returned, never thrown: these are for bad input and I/O.

export interface ErrorContext {
  readonly [key: string]: string | number | boolean | null | undefined;
}

export class LagwatchError extends Error {
  override readonly name: string = 'LagwatchError';
  readonly context: ErrorContext;
  constructor(message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.context = options.context ?? {};
  }
}

/** Bad data handed to the evaluator or the CLI (JSON input, snapshot series). */
export class InputError extends LagwatchError {
  override readonly name = 'InputError';
}

/** A configuration value that cannot work; `key` is the dotted path of the bad key. */
export class ConfigError extends LagwatchError {
  override readonly name = 'ConfigError';
  constructor(
    readonly key: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(`config ${key}: ${message}`, { ...options, context: { key } });
  }
}

/** The cluster could not be read at all (unreachable, TLS, auth). Nothing is stored for the run. */
export class CollectorError extends LagwatchError {
  override readonly name = 'CollectorError';
}

/** A snapshot store or alert-state store failure (DynamoDB, local files). */
export class StoreError extends LagwatchError {
  override readonly name = 'StoreError';
}

/** A notification or metric could not be delivered; it is retried on the next run. */
export class DeliveryError extends LagwatchError {
  override readonly name = 'DeliveryError';
}

/** Bad command-line usage: the command exits 2 and the message names the flag. */
export class UsageError extends LagwatchError {
  override readonly name = 'UsageError';
}

/** The local Kafka broker could not be fetched, started or stopped (Java, Maven, a port, the jars). */
export class KafkaHarnessError extends LagwatchError {
  override readonly name = 'KafkaHarnessError';
}

/** One line for a log field or an error message: "Name: message" for an Error, the value as text otherwise. */
export function errorSummary(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
