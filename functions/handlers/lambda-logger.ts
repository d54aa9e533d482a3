// Logging in the Lambdas: Powertools for AWS Lambda (TypeScript) Logger behind the app's small
// Logger port. JSON lines with the Lambda context (request id, function name, cold start) on every
// entry; the level comes from the environment (POWERTOOLS_LOG_LEVEL, or Lambda's own
// AWS_LAMBDA_LOG_LEVEL), INFO by default. Local mode keeps its own console and file sinks.
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { Logger } from '../app/ports.js';

export interface LambdaLogger {
  /** For the app layer and the composition root. */
  readonly logger: Logger;
  /** Call first in every invocation: adds the request's Lambda context to the entries that follow. */
  addContext(context: Context | undefined): void;
}

export function lambdaLogger(serviceName: string): LambdaLogger {
  const powertools = new PowertoolsLogger({ serviceName });
  return {
    logger: {
      info: (message, fields) => powertools.info(message, fields ?? {}),
      warn: (message, fields) => powertools.warn(message, fields ?? {}),
      error: (message, fields) => powertools.error(message, fields ?? {}),
    },
    addContext: (context) => {
      if (context !== undefined) powertools.addContext(context);
    },
  };
}
