// Slack forwarder Lambda: subscribed to the alert topic, posts each message to an incoming webhook.
import type { Context, SNSEvent } from 'aws-lambda';
import { forwardSnsEventToSlack } from '../adapters/slack/slack-forwarder.js';
import { slackForwarderFromEnv } from '../forwarder-composition.js';
import { lambdaLogger } from './lambda-logger.js';

const log = lambdaLogger('lagwatch-slack-forwarder');
const app = slackForwarderFromEnv(process.env);

export async function handler(event: SNSEvent, context?: Context): Promise<{ posted: number }> {
  log.addContext(context);
  try {
    const result = await forwardSnsEventToSlack(event, { webhookUrl: await app.webhookUrl() });
    log.logger.info('posted to Slack', { posted: result.posted });
    return result;
  } catch (error) {
    // Thrown on: Lambda retries twice, then the event goes to the dead-letter queue (and alarms).
    log.logger.error('could not post to Slack', { error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}
