// The Slack forwarder's own composition root, kept apart from functions/composition.ts on purpose:
// the forwarder needs one Secrets Manager client and the webhook poster, and importing the main
// root would bundle kafkajs, zod, the MSK signer and every SDK client into a 128 MB function
// (measured in test/aws/bundles.test.ts: bundle size and cold init of all three functions).
import { createSecretReader } from './adapters/secrets/secret-reader.js';
import { resolveSlackWebhookUrl } from './adapters/slack/slack-forwarder.js';
import { ENV, requiredEnv, type Env } from './config/env.js';

export interface SlackForwarderApp {
  /** The webhook URL, read from Secrets Manager once per container. */
  webhookUrl(): Promise<string>;
}

export function slackForwarderFromEnv(env: Env): SlackForwarderApp {
  const secretArn = requiredEnv(env, ENV.slackWebhookSecretArn);
  // Module scope via the handler: one client per container, in the secret's own region.
  const readSecret = createSecretReader();
  let url: Promise<string> | undefined;
  return {
    webhookUrl: () => {
      url ??= resolveSlackWebhookUrl(readSecret, secretArn);
      // A failed read (throttled, secret not yet set) is retried on the next invocation.
      url.catch(() => (url = undefined));
      return url;
    },
  };
}
