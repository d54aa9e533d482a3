// The deployable app, run the way Lambda runs it: synthesize with the real esbuild bundles, then
// `require` each asset's index.js in a fresh Node 22 process (Lambda's nodejs22.x) with the
// environment the template gives the function, against moto (DynamoDB, SNS, CloudWatch, Secrets
// Manager) and a real Kafka broker — collector, evaluator and Slack forwarder, end to end.
// Prints each bundle's size, cold init time and memory after init (figures, never asserted on).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTable } from '../../functions/adapters/dynamodb/table.js';
import { parseAppConfig } from '../../functions/config/app-config.js';
import { ENV } from '../../functions/config/env.js';
import { METRIC } from '../../functions/core/metrics.js';
import { defaultCacheDir } from '../../functions/local/host.js';
import { startKafkaBroker, type KafkaBroker } from '../../functions/local/kafka-broker.js';
import { buildLagwatchApp } from '../../infra/build-app.js';
import { emailSeverities } from '../../infra/constructs/alerting.js';
import { commit, createTopicWithMessages, testKafka, uniqueName } from '../support/kafka-fixtures.js';
import { runRecord, snsEvent } from '../support/lambda-events.js';
import { awsClients } from './aws-clients.js';
import { startHttpReceiver, type HttpReceiver } from './http-receiver.js';

const endpoint = inject('motoEndpoint');
const clients = awsClients(endpoint);
const work = mkdtempSync(join(tmpdir(), 'lagwatch-bundles-'));
const MINUTE = 60_000;
const CLUSTER = 'bundle';

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, string> };
interface Invocation {
  initMs: number;
  rssAfterInitMb: number;
  results: unknown[];
  error?: string;
  stdout: string;
}

let broker: KafkaBroker;
let kafka: Kafka;
let admin: Admin;
let node22 = '';
let alerts: HttpReceiver;
let slack: HttpReceiver;
const figures: { fn: string; bundleKb: number; initMs: number; rssAfterInitMb: number }[] = [];

/** One cold Lambda container: a fresh Node 22 process requires the bundle and runs the events in order.
 * Asynchronous on purpose: moto delivers to the HTTP subscriber (in this process) during Publish. */
async function invoke(assetDir: string, env: Record<string, string>, events: unknown[]): Promise<Invocation> {
  const driver = join(work, 'driver.cjs');
  writeFileSync(
    driver,
    `const t0 = process.hrtime.bigint();
const m = require(process.argv[2] + '/index.js');
const initMs = Number(process.hrtime.bigint() - t0) / 1e6;
const rssAfterInitMb = process.memoryUsage().rss / 1048576;
const context = { functionName: 'lagwatch-test', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:lagwatch-test', memoryLimitInMB: '128', getRemainingTimeInMillis: () => 30000 };
(async () => {
  const results = [];
  for (const event of JSON.parse(require('fs').readFileSync(process.argv[3], 'utf8'))) results.push(await m.handler(event, context));
  return { initMs, rssAfterInitMb, results };
})().catch((e) => ({ initMs, rssAfterInitMb, results: [], error: String(e && e.stack || e) }))
  // Lambda freezes the container after the response; module-scope clients would keep this process alive.
  .then((out) => process.stdout.write('\\n@@RESULT@@' + JSON.stringify(out), () => process.exit(0)));
`,
  );
  const eventsFile = join(work, `events-${Date.now()}.json`);
  writeFileSync(eventsFile, JSON.stringify(events));
  const child = spawn(node22, [driver, assetDir, eventsFile], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_ENDPOINT_URL: endpoint,
      AWS_LAMBDA_FUNCTION_NAME: 'lagwatch-test',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  clearTimeout(killer);
  const run = { stdout, stderr, status };
  const marker = run.stdout.lastIndexOf('@@RESULT@@');
  if (marker < 0) throw new Error(`bundle ${assetDir} did not finish (status ${run.status}):\n${run.stderr}\n${run.stdout}`);
  return { ...(JSON.parse(run.stdout.slice(marker + '@@RESULT@@'.length)) as Omit<Invocation, 'stdout'>), stdout: run.stdout.slice(0, marker) + run.stderr };
}

let template: { Resources: Record<string, Resource> };
let assetsDir = '';
let tableName = '';
let topicArn = '';

/** The function's environment from the template, its CloudFormation references resolved to moto's resources. */
function environmentOf(logicalId: string): Record<string, string> {
  const variables = template.Resources[logicalId]!.Properties.Environment.Variables as Record<string, unknown>;
  const pseudo: Record<string, string> = { 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012', 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join !== undefined) return join[1].map(resolve).join(join[0]);
    const ref = (value as { Ref?: string }).Ref;
    if (ref !== undefined && pseudo[ref] !== undefined) return pseudo[ref];
    const type = ref === undefined ? undefined : template.Resources[ref]?.Type;
    if (type === 'AWS::DynamoDB::Table') return tableName;
    if (type === 'AWS::SNS::Topic') return topicArn;
    throw new Error(`unexpected reference in the environment of ${logicalId}: ${JSON.stringify(value)}`);
  };
  return Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, resolve(v)]));
}

function functionId(entry: string): string {
  const found = Object.entries(template.Resources).find(
    ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(entry),
  );
  if (!found) throw new Error(`no function ${entry}* in the template`);
  return found[0];
}

function assetOf(logicalId: string): string {
  return join(assetsDir, template.Resources[logicalId]!.Metadata!['aws:asset:path']!);
}

function record(fn: string, logicalId: string, invocation: Invocation): void {
  const bytes = statSync(join(assetOf(logicalId), 'index.js')).size;
  figures.push({ fn, bundleKb: Math.round(bytes / 1024), initMs: Math.round(invocation.initMs), rssAfterInitMb: Math.round(invocation.rssAfterInitMb) });
}

beforeAll(async () => {
  const node = spawnSync('npx', ['-y', '-p', 'node@22', 'node', '-e', 'process.stdout.write(process.execPath + " " + process.version)'], {
    encoding: 'utf8',
  });
  if (node.status !== 0) throw new Error(`could not get Node 22 from the npm registry (npx -p node@22): ${node.stderr}`);
  const [path, version] = node.stdout.trim().split(' ');
  expect(version).toMatch(/^v22\./);
  node22 = path!;

  broker = await startKafkaBroker({ cacheDir: defaultCacheDir() });
  kafka = testKafka(broker.bootstrap);
  admin = kafka.admin();
  await admin.connect();

  tableName = `lagwatch-bundles-${Date.now()}`;
  await createTable(clients.dynamodb, tableName);
  topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: 'lagwatch-bundles-alerts' }))).TopicArn ?? '';
  alerts = await startHttpReceiver();
  // Filtered the way the stack filters a team's email (ERROR-only default): the message arrives
  // only if it carries the team and severity attributes.
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'http',
      Endpoint: alerts.url,
      Attributes: { FilterPolicy: JSON.stringify({ team: ['payments'], severity: emailSeverities('ERROR') }) },
    }),
  );
  slack = await startHttpReceiver();
  const webhookSecretArn =
    (await clients.secrets.send(new CreateSecretCommand({ Name: `lagwatch-bundles-hook-${Date.now()}`, SecretString: `${slack.url}/services/T0/B0/x` })))
      .ARN ?? '';

  const config = parseAppConfig({
    region: 'us-east-1',
    clusters: [{ name: CLUSTER, brokers: [broker.bootstrap] }],
    policy: { defaults: { team: 'payments', windowSize: 5 } },
    teams: [{ name: 'payments', emails: ['oncall@example.com'] }],
    slack: { webhookSecretArn },
  });
  const out = join(work, 'cdk.out');
  const { app } = buildLagwatchApp({ config, code: 'esbuild', appProps: { outdir: out, context: { 'aws:cdk:enable-asset-metadata': true } } });
  app.synth();
  assetsDir = out;
  template = JSON.parse(readFileSync(join(out, `${config.stackName}.template.json`), 'utf8')) as typeof template;
}, 600_000);

afterAll(async () => {
  await admin?.disconnect();
  await broker?.stop();
  await alerts?.close();
  await slack?.close();
  rmSync(work, { recursive: true, force: true });
  if (figures.length > 0) {
    console.log('\nLambda bundles on Node 22 (cold container: require of index.js with the template environment)');
    console.log('function        bundle KB   init ms   RSS after init MB');
    for (const f of figures) console.log(`${f.fn.padEnd(16)}${String(f.bundleKb).padStart(9)}${String(f.initMs).padStart(10)}${String(f.rssAfterInitMb).padStart(20)}`);
  }
});

describe('the synthesized bundles, run as Lambda runs them', { timeout: 600_000 }, () => {
  it('collector → DynamoDB, evaluator (stream event) → SNS routed on the team and severity attributes, forwarder → Slack', async () => {
    const topic = uniqueName('orders');
    const group = uniqueName('billing');
    await createTopicWithMessages(kafka, admin, topic, [20]);
    await commit(admin, group, topic, { 0: 5 });

    // Five scheduled runs a minute apart, ending now, each after more messages arrived: the group's
    // consumers are gone (no members, committed offset fixed) while its lag grows.
    const collectorId = functionId('CollectorbundleFunction');
    const producer = kafka.producer();
    await producer.connect();
    const last = Date.now() - (Date.now() % MINUTE);
    const times = [4, 3, 2, 1, 0].map((k) => last - k * MINUTE);
    let firstCollector: Invocation | null = null;
    for (const time of times) {
      await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `x${i}` })) });
      const run = await invoke(assetOf(collectorId), environmentOf(collectorId), [{ cluster: CLUSTER, scheduledTime: new Date(time).toISOString() }]);
      expect(run.error, run.stdout).toBeUndefined();
      expect(run.results[0]).toMatchObject({ cluster: CLUSTER });
      firstCollector ??= run;
    }
    await producer.disconnect();
    record('collector', collectorId, firstCollector!);

    // The run record of the last run, as the table stream delivers it (keys only).
    const evaluatorId = functionId('EvaluatorFunction');
    const stream: DynamoDBStreamEvent = { Records: [runRecord(CLUSTER, last, '100')] };
    const before = alerts.received.length;
    const evaluation = await invoke(assetOf(evaluatorId), environmentOf(evaluatorId), [stream]);
    expect(evaluation.error, evaluation.stdout).toBeUndefined();
    expect(evaluation.results[0]).toEqual({ batchItemFailures: [] });
    // Powertools Logger: JSON lines carrying the service and the invocation's Lambda context.
    const logLines = evaluation.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logLines).toContainEqual(
      expect.objectContaining({ level: 'INFO', message: 'evaluation done', service: 'lagwatch-evaluator', function_request_id: 'req-1', cluster: CLUSTER }),
    );
    record('evaluator', evaluatorId, evaluation);
    const [delivered] = (await alerts.waitFor(before + 1)).slice(before) as { json: any }[];
    const envelope = delivered!.json as { Subject: string; Message: string; MessageId: string };
    expect(envelope.Subject).toMatch(new RegExp(`^\\[ERROR\\] ${group} on ${CLUSTER}`));

    // The evaluator's heartbeat (EvaluatorDurationMs) and the collector's snapshots reached CloudWatch.
    const metrics = await clients.cloudwatch.send(new ListMetricsCommand({ Namespace: environmentOf(evaluatorId)[ENV.metricsNamespace] }));
    const names = new Set((metrics.Metrics ?? []).filter((m) => m.Dimensions?.some((d) => d.Value === CLUSTER)).map((m) => m.MetricName));
    expect(names).toContain(METRIC.EvaluatorDurationMs);
    expect(names).toContain(METRIC.SnapshotsWritten);

    // The forwarder gets what SNS hands a Lambda subscriber (the same JSON body as HTTP).
    const forwarderId = functionId('AlertingSlackForwarder');
    const sns = snsEvent([{ subject: envelope.Subject, message: envelope.Message, messageId: envelope.MessageId }], topicArn);
    const posted = slack.received.length;
    const forwarded = await invoke(assetOf(forwarderId), environmentOf(forwarderId), [sns]);
    expect(forwarded.error, forwarded.stdout).toBeUndefined();
    expect(forwarded.results[0]).toEqual({ posted: 1 });
    record('slack-forwarder', forwarderId, forwarded);
    const [post] = (await slack.waitFor(posted + 1)).slice(posted);
    expect(post!.path).toBe('/services/T0/B0/x');
    expect(post!.body).toContain(group);

    // Each bundle carries only what its handler needs: the forwarder has no Kafka client.
    const forwarderCode = readFileSync(join(assetOf(forwarderId), 'index.js'), 'utf8');
    expect(forwarderCode).not.toMatch(/kafkajs|KafkaJSError/);
    expect(readFileSync(join(assetOf(collectorId), 'index.js'), 'utf8')).toMatch(/KafkaJS/);
  });
});
