// Where messages go: the alert topic (per-team email subscriptions filtered on the `team` message
// attribute, Slack through Chatbot and/or the webhook forwarder) and the ops topic for self-health
// alarms. Both topics are encrypted with one customer-managed key, because CloudWatch alarms can
// only publish to an encrypted topic whose key policy lets cloudwatch.amazonaws.com use the key
// (the AWS-managed aws/sns key cannot be shared that way).
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { SlackConfig, TeamConfig } from '../../functions/config/app-config.js';
import { ENV } from '../../functions/config/env.js';
import { grantSecretRead } from './grants.js';
import { LagwatchFunction, type FunctionCode } from './lagwatch-function.js';

/** The SNS message attribute every alert carries for routing (set by the SNS notifier). */
export const TEAM_ATTRIBUTE = 'team';

export interface AlertingProps {
  readonly teams: readonly TeamConfig[];
  readonly opsEmails: readonly string[];
  readonly slack: SlackConfig | null;
  readonly namePrefix: string;
  readonly code: FunctionCode;
  readonly logRetentionDays: logs.RetentionDays;
}

export class Alerting extends Construct {
  readonly key: kms.Key;
  readonly alertTopic: sns.Topic;
  readonly opsTopic: sns.Topic;
  readonly slackForwarder: LagwatchFunction | null = null;
  readonly chatbotChannel: chatbot.SlackChannelConfiguration | null = null;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'TopicKey', {
      description: 'lagwatch: encrypts the alert and ops SNS topics',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch alarms publish to the ops topic: they need the key to encrypt the message.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.alertTopic = new sns.Topic(this, 'AlertTopic', {
      displayName: `${props.namePrefix} consumer-lag alerts`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.opsTopic = new sns.Topic(this, 'OpsTopic', {
      displayName: `${props.namePrefix} self-health alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });

    for (const team of props.teams) {
      for (const email of team.emails) {
        this.alertTopic.addSubscription(
          new subscriptions.EmailSubscription(email, {
            filterPolicy: {
              [TEAM_ATTRIBUTE]: sns.SubscriptionFilter.stringFilter({ allowlist: [team.name] }),
            },
          }),
        );
      }
    }
    for (const email of props.opsEmails) this.opsTopic.addSubscription(new subscriptions.EmailSubscription(email));

    if (props.slack?.chatbot) {
      this.chatbotChannel = new chatbot.SlackChannelConfiguration(this, 'SlackChannel', {
        slackChannelConfigurationName: `${props.namePrefix}-alerts`,
        slackWorkspaceId: props.slack.chatbot.workspaceId,
        slackChannelId: props.slack.chatbot.channelId,
        notificationTopics: [this.alertTopic, this.opsTopic],
        loggingLevel: chatbot.LoggingLevel.ERROR,
      });
    }
    if (props.slack?.webhookSecretArn) {
      this.slackForwarder = new LagwatchFunction(this, 'SlackForwarder', {
        entry: 'functions/handlers/slack-forwarder.ts',
        description: 'lagwatch: forwards alert SNS messages to a Slack incoming webhook',
        code: props.code,
        environment: { [ENV.slackWebhookSecretArn]: props.slack.webhookSecretArn },
        timeout: Duration.seconds(15),
        memorySize: 128,
        logRetentionDays: props.logRetentionDays,
        configKey: 'slack.webhookSecretArn',
      });
      grantSecretRead(this.slackForwarder.function, props.slack.webhookSecretArn);
      this.alertTopic.addSubscription(new subscriptions.LambdaSubscription(this.slackForwarder.function));
    }
  }
}
