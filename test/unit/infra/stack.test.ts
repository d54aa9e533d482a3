// Template assertions of intent for the lagwatch stack, built from the committed example config
// (and variations). Functions use the inline stub here; test/unit/infra/synth.test.ts bundles for real.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_EXPECTED_PARTITIONS, parseAppConfig } from '../../../functions/config/app-config.js';
import { evaluatorMemoryMb } from '../../../functions/config/deployment.js';
import { ENV } from '../../../functions/config/env.js';
import { METRIC, METRICS_NAMESPACE } from '../../../functions/core/metrics.js';
import { TABLE } from '../../../functions/adapters/dynamodb/table.js';
import { buildLagwatchApp } from '../../../infra/build-app.js';
import { exampleConfig, minimalConfig } from './fixtures.js';

function synth(json: Record<string, any> = exampleConfig()) {
  const { stack } = buildLagwatchApp({ config: parseAppConfig(json), code: 'inline-stub' });
  return { stack, template: Template.fromStack(stack) };
}

const { stack, template } = synth();
// Synth takes seconds on a loaded 2-core machine; these are limits, not timing assertions.
vi.setConfig({ testTimeout: 120_000 });
type Resource = { Type: string; Properties: Record<string, any>; [k: string]: unknown };
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.resolve((construct.node.defaultChild as { logicalId: string }).logicalId) as string;

function collectorFunctionId(cluster: string): string {
  return logicalId(stack.collectors.get(cluster)!.function.function);
}
function policyStatementsOf(functionId: string): any[] {
  const roleRef = resources[functionId]!.Properties.Role['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleRef))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}
const asList = (v: unknown) => (Array.isArray(v) ? v : [v]);

describe('DynamoDB table', () => {
  it('is on demand, with TTL, point-in-time recovery, encryption and the store’s key schema', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        StreamSpecification: { StreamViewType: 'KEYS_ONLY' },
      },
    });
  });
});

describe('functions', () => {
  it('run Node 22 on ARM, one collector per cluster plus the evaluator', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(3);
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
    }
  });

  it('log each function to its own log group, kept for the configured retention', () => {
    const functions = ofType('AWS::Lambda::Function');
    const groups = functions.map(([, fn]) => fn.Properties.LoggingConfig?.LogGroup?.Ref as string);
    expect(new Set(groups).size).toBe(functions.length);
    for (const id of groups) {
      expect(resources[id]?.Type).toBe('AWS::Logs::LogGroup');
      expect(resources[id]?.Properties.RetentionInDays).toBe(parseAppConfig(exampleConfig()).logRetentionDays);
    }
  });

  it('puts the private cluster’s collector in its VPC subnets, the others outside any VPC', () => {
    const msk = resources[collectorFunctionId('prod-msk')]!.Properties;
    expect(msk.VpcConfig.SubnetIds).toEqual(['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2']);
    expect(msk.VpcConfig.SecurityGroupIds).toContain('sg-0cccccccccccccccc');
    expect(resources[collectorFunctionId('analytics')]!.Properties.VpcConfig).toBeUndefined();
    expect(resources[logicalId(stack.evaluator.function.function)]!.Properties.VpcConfig).toBeUndefined();
  });

  it('gives the collector its cluster connection (without network) and the table through env', () => {
    const env = resources[collectorFunctionId('prod-msk')]!.Properties.Environment.Variables;
    const connection = JSON.parse(env[ENV.clusterConfig]);
    expect(connection).toMatchObject({ name: 'prod-msk', sasl: { mechanism: 'aws-msk-iam' } });
    expect(connection).not.toHaveProperty('network');
    expect(env[ENV.tableName]).toEqual({ Ref: logicalId(stack.table.table) });
    expect(env[ENV.metricsNamespace]).toBe(METRICS_NAMESPACE);
    expect(Number(env[ENV.snapshotRetentionMs])).toBeGreaterThan(12 * 60_000);
  });

  it('gives the evaluator the policy as written, the topic and every cluster', () => {
    const env = resources[logicalId(stack.evaluator.function.function)]!.Properties.Environment.Variables;
    expect(JSON.parse(env[ENV.policyConfig]).overrides[0]).toEqual({
      match: 'payments-*',
      team: 'payments',
      alertSeverity: 'WARNING',
    });
    expect(env[ENV.clusterNames]).toBe('prod-msk,analytics');
    expect(env[ENV.alertTopicArn]).toEqual({ Ref: logicalId(stack.alerting.alertTopic) });
    expect(JSON.stringify(env[ENV.dashboardUrl])).toContain('lagwatch-prod-msk');
  });
});

describe('VPC endpoints for the private collector', () => {
  it('adds the DynamoDB gateway endpoint on the configured route tables and CloudWatch as interface endpoint', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      VpcId: 'vpc-0123456789abcdef0',
      RouteTableIds: ['rtb-0ddddddddddddddd1', 'rtb-0ddddddddddddddd2'],
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.dynamodb']] },
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      SubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
      ServiceName: 'com.amazonaws.eu-west-1.monitoring',
    });
  });

  it('adds Secrets Manager only when the private cluster reads a secret, and nothing when endpoints are off', () => {
    const withSecret = exampleConfig();
    withSecret.clusters[0].sasl = {
      mechanism: 'scram-sha-512',
      passwordSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_x-AbCdEf',
    };
    const secretTemplate = synth(withSecret).template;
    secretTemplate.resourceCountIs('AWS::EC2::VPCEndpoint', 3);
    secretTemplate.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.eu-west-1.secretsmanager',
    });
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 2);

    const noEndpoints = exampleConfig();
    noEndpoints.clusters[0].network = { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0aaaaaaaaaaaaaaa1'], createEndpoints: false };
    synth(noEndpoints).template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });
});

describe('schedule', () => {
  it('runs each collector at the configured rate with the scheduled time in its input', () => {
    const schedules = ofType('AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(2);
    for (const cluster of ['prod-msk', 'analytics']) {
      const [, schedule] = schedules.find(([, s]) => JSON.parse(s.Properties.Target.Input).cluster === cluster)!;
      expect(schedule.Properties.ScheduleExpression).toBe('rate(1 minute)');
      expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({
        cluster,
        scheduledTime: '<aws.scheduler.scheduled-time>',
      });
      expect(schedule.Properties.Target.Arn).toEqual({ 'Fn::GetAtt': [collectorFunctionId(cluster), 'Arn'] });
    }
  });

  it('follows a longer snapshot interval', () => {
    const config = minimalConfig();
    config.snapshotIntervalMs = 5 * 60_000;
    synth(config).template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(5 minutes)' });
  });
});

describe('evaluator trigger', () => {
  it('is the table stream, filtered to run records', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack.evaluator.function.function) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.table.table), 'StreamArn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT', 'MODIFY'],
              dynamodb: { Keys: { [TABLE.partitionKey]: { S: [{ prefix: 'R#' }] } } },
            }),
          },
        ],
      },
    });
  });
});

describe('alerts', () => {
  it('encrypts both topics with a rotated customer-managed key CloudWatch may use', () => {
    const topics = ofType('AWS::SNS::Topic');
    expect(topics).toHaveLength(2);
    const keyId = logicalId(stack.alerting.key);
    for (const [, topic] of topics) expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(resources[keyId]!.Properties.EnableKeyRotation).toBe(true);
    const keyStatements = resources[keyId]!.Properties.KeyPolicy.Statement as any[];
    const cloudwatchKey = keyStatements.find((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(cloudwatchKey.Condition).toEqual(fromLagwatchAlarms);
  });

  // Only this account's lagwatch alarms (named Lagwatch-...) may use the ops topic and its key.
  const fromLagwatchAlarms = {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: {
      'aws:SourceArn': {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:Lagwatch-*']],
      },
    },
  };

  it('lets CloudWatch alarms publish to the ops topic (a topic policy replaces the default one) and keeps TLS enforced', () => {
    const opsRef = { Ref: logicalId(stack.alerting.opsTopic) };
    const policies = ofType('AWS::SNS::TopicPolicy').filter(([, p]) => p.Properties.Topics.some((t: any) => t.Ref === opsRef.Ref));
    expect(policies).toHaveLength(1);
    const statements = policies[0]![1].Properties.PolicyDocument.Statement as any[];
    expect(statements.find((s) => s.Effect === 'Allow')).toMatchObject({
      Action: 'sns:Publish',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Resource: opsRef,
      Condition: fromLagwatchAlarms,
    });
    expect(statements.find((s) => s.Effect === 'Deny')).toMatchObject({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    // Every alarm is named under the prefix the conditions allow.
    for (const [, alarm] of ofType('AWS::CloudWatch::Alarm')) expect(alarm.Properties.AlarmName).toMatch(/^Lagwatch-/);
  });

  it('gives a team that asks for WARNING by email the messages of every incident, and chat both', () => {
    const config = minimalConfig();
    config.teams = [{ name: 'default', emails: ['a@example.com'], emailSeverity: 'WARNING' }];
    const built = synth(config);
    built.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'a@example.com',
      FilterPolicy: { team: ['default'], incidentSeverity: ['WARNING', 'ERROR'] },
    });
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', { SnsTopicArns: Match.anyValue() });
    expect(ofType('AWS::SNS::Subscription').filter(([, s]) => s.Properties.Protocol !== 'email')).toEqual([]);
  });

  it('subscribes each team’s emails with a filter policy on the team attribute', () => {
    const alertTopic = { Ref: logicalId(stack.alerting.alertTopic) };
    const expected = [
      ['platform-oncall@example.com', 'platform'],
      ['payments-oncall@example.com', 'payments'],
      ['payments-lead@example.com', 'payments'],
    ];
    for (const [email, team] of expected) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        TopicArn: alertTopic,
        FilterPolicy: { team: [team], incidentSeverity: ['ERROR'] },
      });
    }
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'lagwatch-ops@example.com',
      TopicArn: { Ref: logicalId(stack.alerting.opsTopic) },
      FilterPolicy: Match.absent(),
    });
  });

  it('sends both topics to Slack through a Chatbot channel configuration', () => {
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123ABCDEF',
      SlackChannelId: 'C0123ABCDEF',
      SnsTopicArns: [{ Ref: logicalId(stack.alerting.alertTopic) }, { Ref: logicalId(stack.alerting.opsTopic) }],
    });
  });

  it('uses the webhook forwarder Lambda when Slack is a webhook secret', () => {
    const config = minimalConfig();
    const secret = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-hook';
    config.slack = { webhookSecretArn: secret };
    config.region = 'eu-west-1';
    const built = synth(config);
    built.template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    const forwarder = built.stack.alerting.slackForwarder!.function;
    const forwarderId = built.stack.resolve((forwarder.node.defaultChild as any).logicalId) as string;
    built.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [forwarderId, 'Arn'] },
    });
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.slackWebhookSecretArn]: secret }) },
    });
    built.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: [secret, `${secret}-??????`] }),
        ]),
      },
    });
  });
});

describe('dashboard', () => {
  /** The dashboard JSON with CloudFormation references replaced by placeholders, parsed. */
  const widgets = (cluster: string): any[] => {
    const joined = resources[logicalId(stack.dashboards.get(cluster)!.dashboard)]!.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    return JSON.parse(joined.map((part) => (typeof part === 'string' ? part : 'REF')).join('')).widgets;
  };
  const metricsOf = (cluster: string, title: string): any[] =>
    widgets(cluster).find((w) => w.properties.title === title)?.properties.metrics ?? [];

  it('has one dashboard per cluster with the top-10 Metrics Insights queries', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 2);
    for (const cluster of ['prod-msk', 'analytics']) {
      for (const [title, metric] of [
        ['Top 10 groups by offset lag (messages)', METRIC.MaxLag],
        ['Top 10 groups by time lag (seconds behind)', METRIC.MaxTimeLagSeconds],
      ] as const) {
        expect(metricsOf(cluster, title)[0][0].expression).toBe(
          `SELECT MAX("${metric}") FROM SCHEMA("Lagwatch", "Cluster", "Group") WHERE "Cluster" = '${cluster}' GROUP BY "Group" ORDER BY MAX() DESC LIMIT 10`,
        );
      }
    }
  });

  it('graphs groups by status and the collector’s duration and errors', () => {
    expect(metricsOf('prod-msk', 'Groups by status').map((m) => m.slice(0, 6))).toEqual(
      ['OK', 'WARNING', 'ERROR'].map((status) => [METRICS_NAMESPACE, METRIC.Groups, 'Cluster', 'prod-msk', 'Status', status]),
    );
    expect(metricsOf('prod-msk', 'Collector duration (ms)')[0].slice(0, 4)).toEqual([
      METRICS_NAMESPACE,
      METRIC.CollectorDurationMs,
      'Cluster',
      'prod-msk',
    ]);
    const errors = metricsOf('analytics', 'Collector errors').map((m) => m.slice(0, 2).join('/'));
    expect(errors).toEqual([`${METRICS_NAMESPACE}/${METRIC.CollectorFailures}`, `${METRICS_NAMESPACE}/${METRIC.CollectorGroupFailures}`, 'AWS/Lambda/Errors']);
     // What the metric selection leaves out is on the dashboard, so a capped incident is visible.
    const leftOut = metricsOf('prod-msk', 'Snapshots, notifications, groups left out of metrics').map((m) => m[1]);
    expect(leftOut).toEqual(expect.arrayContaining([METRIC.GroupMetricsCapped, METRIC.MetricNamesSkipped]));
  });
});

describe('self-health alarms', () => {
  const opsTopic = () => ({ Ref: logicalId(stack.alerting.opsTopic) });

  it('fires when no snapshot was written for 3 intervals, missing data counting as breaching', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === METRIC.SnapshotsWritten);
    expect(alarms).toHaveLength(2);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 3,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        AlarmActions: [opsTopic()],
      });
    }
  });

  it('alarms on collector errors and evaluator errors to the ops topic', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    // Per cluster: collector errors, no snapshots, no evaluations, notification failures (2 clusters);
    // evaluator errors, stream iterator age, dead letters.
    expect(alarms).toHaveLength(11);
    const collectorErrors = alarms.filter(([, a]) => JSON.stringify(a.Properties.Metrics ?? []).includes(METRIC.CollectorFailures));
    expect(collectorErrors).toHaveLength(2);
    const evaluatorErrors = alarms.filter(
      ([, a]) => a.Properties.MetricName === 'Errors' && a.Properties.Dimensions?.[0]?.Value?.Ref === logicalId(stack.evaluator.function.function),
    );
    expect(evaluatorErrors).toHaveLength(1);
    for (const [, alarm] of [...collectorErrors, ...evaluatorErrors]) {
      expect(alarm.Properties.AlarmActions).toEqual([opsTopic()]);
      expect(alarm.Properties.OKActions).toEqual([opsTopic()]);
    }
  });
});

describe('self-health: evaluator heartbeat, stream, notifications, dead letters', () => {
  const opsTopic = () => ({ Ref: logicalId(stack.alerting.opsTopic) });
  const alarmNamed = (name: string) => ofType('AWS::CloudWatch::Alarm').find(([, a]) => a.Properties.AlarmName === name)?.[1].Properties;

  it('fires when a cluster had no completed evaluation for 3 intervals, missing data breaching', () => {
    for (const cluster of ['prod-msk', 'analytics']) {
      expect(alarmNamed(`Lagwatch-no-evaluations-${cluster}`)).toMatchObject({
        MetricName: METRIC.EvaluatorDurationMs,
        Statistic: 'SampleCount',
        Dimensions: [{ Name: 'Cluster', Value: cluster }],
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        EvaluationPeriods: 3,
        TreatMissingData: 'breaching',
        AlarmActions: [opsTopic()],
      });
      expect(alarmNamed(`Lagwatch-notification-failures-${cluster}`)).toMatchObject({
        MetricName: METRIC.NotificationFailures,
        Statistic: 'Sum',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('alarms when the evaluator falls 3 intervals behind the stream', () => {
    expect(alarmNamed('Lagwatch-evaluator-stream-behind')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Threshold: 180_000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('sends a stream batch the evaluator gives up on to a KMS-encrypted SQS queue, and alarms on its depth', () => {
    const queueId = logicalId(stack.evaluator.deadLetters);
    expect(resources[queueId]!.Properties).toMatchObject({
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(stack.alerting.key), 'Arn'] },
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    expect(alarmNamed('Lagwatch-evaluator-dead-letters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 1,
      AlarmActions: [opsTopic()],
    });
  });

  it('gives the Slack forwarder an encrypted dead-letter queue after two retries, with error and depth alarms', () => {
    const config = minimalConfig();
    config.slack = { webhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-hook' };
    config.region = 'eu-west-1';
    const built = synth(config);
    const queue = built.stack.alerting.forwarderDeadLetters!;
    const queueId = built.stack.resolve((queue.node.defaultChild as any).logicalId) as string;
    built.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    built.template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'Lagwatch-slack-forwarder-errors', MetricName: 'Errors' });
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Lagwatch-slack-forwarder-dead-letters',
      MetricName: 'ApproximateNumberOfMessagesVisible',
    });
  });
});

describe('least-privilege IAM', () => {
  const allStatements = () => ofType('AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);

  it('scopes MSK IAM actions to the cluster ARN and its topic and group ARNs', () => {
    const statements = policyStatementsOf(collectorFunctionId('prod-msk'));
    const kafka = statements.filter((s) => asList(s.Action).some((a: string) => a.startsWith('kafka-cluster:')));
    const base = 'arn:aws:kafka:eu-west-1:123456789012';
    const id = 'prod-msk/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2';
    expect(kafka).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'], Resource: `${base}:cluster/${id}` }),
        expect.objectContaining({ Action: 'kafka-cluster:DescribeTopic', Resource: `${base}:topic/${id}/*` }),
        expect.objectContaining({ Action: 'kafka-cluster:DescribeGroup', Resource: `${base}:group/${id}/*` }),
      ]),
    );
    expect(kafka).toHaveLength(3);
    // Nowhere: kafka-cluster:* or any kafka action on *.
    for (const s of allStatements()) {
      const actions = asList(s.Action) as string[];
      expect(actions).not.toContain('kafka-cluster:*');
      if (actions.some((a) => a.startsWith('kafka'))) expect(asList(s.Resource)).not.toContain('*');
    }
    expect(policyStatementsOf(collectorFunctionId('analytics')).some((s) => JSON.stringify(s.Action).includes('kafka-cluster'))).toBe(false);
  });

  it('lets a collector read only its own secrets, decrypting through Secrets Manager only', () => {
    const statements = policyStatementsOf(collectorFunctionId('analytics'));
    const secret = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_lagwatch-AbCdEf';
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: [secret, `${secret}-??????`] }),
        expect.objectContaining({
          Action: 'kms:Decrypt',
          Resource: 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555',
          Condition: { StringEquals: { 'kms:ViaService': expect.anything() } },
        }),
      ]),
    );
    expect(JSON.stringify(policyStatementsOf(collectorFunctionId('prod-msk')))).not.toContain('secretsmanager');
  });

  it('lets collectors write the table only, and the evaluator read/write it and publish to the alert topic', () => {
    const collectorActions = policyStatementsOf(collectorFunctionId('analytics')).flatMap((s) => asList(s.Action)) as string[];
    expect(collectorActions).toContain('dynamodb:BatchWriteItem');
    expect(collectorActions).not.toContain('dynamodb:Query');
    expect(collectorActions).not.toContain('sns:Publish');

    const evaluatorStatements = policyStatementsOf(logicalId(stack.evaluator.function.function));
    const evaluatorActions = evaluatorStatements.flatMap((s) => asList(s.Action)) as string[];
    expect(evaluatorActions).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'sns:Publish']));
    const publish = evaluatorStatements.find((s) => asList(s.Action).includes('sns:Publish'));
    expect(publish.Resource).toEqual({ Ref: logicalId(stack.alerting.alertTopic) });
  });

  it('allows * only where the action has no resource ARN, and PutMetricData only in the Lagwatch namespace', () => {
    for (const s of allStatements()) {
      if (!asList(s.Resource).includes('*')) continue;
      const actions = asList(s.Action) as string[];
      expect(actions.every((a) => ['cloudwatch:PutMetricData', 'dynamodb:ListStreams', 'ec2:DescribeNetworkInterfaces'].includes(a))).toBe(true);
      if (actions.includes('cloudwatch:PutMetricData')) {
        expect(s.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } });
      }
    }
  });
});

describe('evaluator sizing', () => {
  it('takes one run record (one cluster) per invocation', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, r]) => r.Properties?.EventSourceArn !== undefined);
    expect(mappings.length).toBeGreaterThan(0);
    for (const [, r] of mappings) expect(r.Properties?.BatchSize).toBe(1);
  });
  it('sizes memory from the largest cluster: 512 MB by default, more for 200,000 expected partitions', () => {
    expect(evaluatorMemoryMb(DEFAULT_EXPECTED_PARTITIONS)).toBe(512);
    expect(evaluatorMemoryMb(200_000)).toBe(704);
    const json = exampleConfig();
    json.clusters[1].expectedPartitions = 200_000;
    const big = synth(json).template.toJSON().Resources as Record<string, Resource>;
    const memory = Object.values(big)
      .filter((r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties?.Description ?? '').startsWith('lagwatch evaluator'))
      .map((r) => r.Properties?.MemorySize);
    expect(memory).toEqual([704]);
  });
});
