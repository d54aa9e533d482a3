// Where messages go: the alert topic (per-team email subscriptions filtered on the `team` message
// attribute, Slack through Chatbot and/or the webhook forwarder) and the ops topic for self-health
// alarms. Both topics are encrypted with one customer-managed key, because CloudWatch alarms can
// only publish to an encrypted topic whose key policy lets cloudwatch.amazonaws.com use the key
// (the AWS-managed aws/sns key cannot be shared that way).
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SlackConfig, TeamConfig } from '../../functions/config/app-config.js';
import { ENV } from '../../functions/config/env.js';
import { MESSAGE_ATTRIBUTE } from '../../functions/adapters/sns/sns-notifier.js';
import { grantSecretRead } from './grants.js';
import { LagwatchFunction, type FunctionCode } from './lagwatch-function.js';

/** The SNS message attributes every alert carries for routing (set by the SNS notifier). */
export const TEAM_ATTRIBUTE = MESSAGE_ATTRIBUTE.team;
export const INCIDENT_SEVERITY_ATTRIBUTE = MESSAGE_ATTRIBUTE.incidentSeverity;

/** Incident severities an email subscription takes. Every message of an incident carries the worst
 * severity the incident has paged, so an ERROR-only subscription gets every message of an incident
 * that reached ERROR (from the escalation on, its resolve and "gone" too) and none of an incident
 * that stayed WARNING. Chat takes everything. */
export function emailSeverities(emailSeverity: 'WARNING' | 'ERROR'): string[] {
  return emailSeverity === 'ERROR' ? ['ERROR'] : ['WARNING', 'ERROR'];
}

/** Alarm ARNs CloudWatch publishes to the ops topic from: every lagwatch alarm is named with this prefix. */
export function alarmArnPattern(alarmNamePrefix: string): string {
  return `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${alarmNamePrefix}*`;
}

/** An SQS dead-letter queue: encrypted with the lagwatch key, TLS only, kept the SQS maximum of 14 days. */
export function deadLetterQueue(scope: Construct, id: string, key: kms.IKey): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
}

export interface AlertingProps {
  readonly teams: readonly TeamConfig[];
  readonly opsEmails: readonly string[];
  readonly slack: SlackConfig | null;
  readonly namePrefix: string;
  /** Every self-health alarm's name starts with it: the ops topic and key accept CloudWatch only from those alarms. */
  readonly alarmNamePrefix: string;
  readonly code: FunctionCode;
  readonly logRetentionDays: logs.RetentionDays;
}

export class Alerting extends Construct {
  readonly key: kms.Key;
  readonly alertTopic: sns.Topic;
  readonly opsTopic: sns.Topic;
  readonly slackForwarder: LagwatchFunction | null = null;
  readonly chatbotChannel: chatbot.SlackChannelConfiguration | null = null;
  /** Events the Slack forwarder failed on after Lambda's retries. */
  readonly forwarderDeadLetters: sqs.Queue | null = null;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'TopicKey', {
      description: 'lagwatch: encrypts the alert and ops SNS topics',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch alarms publish to the ops topic: they need the key to encrypt the message. Only
    // lagwatch's own alarms in this account (the confused-deputy conditions AWS documents).
    const fromLagwatchAlarms = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': alarmArnPattern(props.alarmNamePrefix) },
    };
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromLagwatchAlarms,
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
    // enforceSSL gives the topic a policy, and a topic policy replaces SNS's default one: without
    // this Allow, CloudWatch (a service principal, not an IAM role of this account) could not
    // publish and every self-health alarm would fire to no one. The TLS Deny stays.
    this.opsTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowLagwatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.opsTopic.topicArn],
        conditions: fromLagwatchAlarms,
      }),
    );

    for (const team of props.teams) {
      for (const email of team.emails) {
        this.alertTopic.addSubscription(
          new subscriptions.EmailSubscription(email, {
            filterPolicy: {
              [TEAM_ATTRIBUTE]: sns.SubscriptionFilter.stringFilter({ allowlist: [team.name] }),
              [INCIDENT_SEVERITY_ATTRIBUTE]: sns.SubscriptionFilter.stringFilter({ allowlist: emailSeverities(team.emailSeverity) }),
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
      // A post that still fails after Lambda's two async retries lands here instead of vanishing.
      this.forwarderDeadLetters = deadLetterQueue(this, 'SlackForwarderDeadLetters', this.key);
      this.slackForwarder.function.configureAsyncInvoke({
        retryAttempts: 2,
        onFailure: new destinations.SqsDestination(this.forwarderDeadLetters),
      });
      this.alertTopic.addSubscription(new subscriptions.LambdaSubscription(this.slackForwarder.function));
    }
  }
}
