// The evaluator over moto end to end: DynamoDB store + alert state, SNS to a real HTTP subscriber,
// CloudWatch metrics. Two evaluators at once send one message; a failing SNS or a crash between the
// claim and the publish delays the message, never loses it; a late evaluator cannot reopen a
// resolved incident.
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CloudWatchMetricsSink } from '../../functions/adapters/cloudwatch/cloudwatch-sink.js';
import { DynamoAlertStateStore } from '../../functions/adapters/dynamodb/alert-state-store.js';
import { DynamoSnapshotStore } from '../../functions/adapters/dynamodb/snapshot-store.js';
import { snapshotRetentionMs } from '../../functions/adapters/dynamodb/table.js';
import { snsMessageBody, SnsNotifier } from '../../functions/adapters/sns/sns-notifier.js';
import { runEvaluation, type EvaluateDeps } from '../../functions/app/evaluate.js';
import type { AlertStateStore } from '../../functions/app/ports.js';
import { DEFAULT_POLICY } from '../../functions/core/policy.js';
import { clusterSnapshot, MINUTE, RecordingLogger, stuckGroup } from '../unit/app-fakes.js';
import { awsClients, freshTable } from './aws-clients.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { startHttpReceiver, type HttpReceiver } from './http-receiver.js';

const endpoint = inject('motoEndpoint');
const clients = awsClients(endpoint);
const T0 = 1_760_000_000_000 - (1_760_000_000_000 % MINUTE);
let tableName = '';
let topicArn = '';
let inbox: HttpReceiver;
let proxy: FaultProxy;

beforeAll(async () => {
  tableName = await freshTable(clients.dynamodb);
  topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: 'lagwatch-alerts-evaluate-test' }))).TopicArn ?? '';
  inbox = await startHttpReceiver();
  await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: inbox.url }));
  proxy = await startFaultProxy(endpoint);
});
afterAll(async () => {
  await inbox.close();
  await proxy.close();
});

/** Holds list() until `parties` callers wait, so concurrent runs read the same (old) state. */
function barrierAlerts(inner: AlertStateStore, parties: number): AlertStateStore {
  const waiting: (() => void)[] = [];
  return {
    list: async (cluster) => {
      const states = await inner.list(cluster);
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length >= parties) for (const r of waiting) r();
      });
      return states;
    },
    write: (next, expected) => inner.write(next, expected),
  };
}

/** The process dies right after its claim reached DynamoDB: the write succeeds, nothing after it runs. */
function crashAfterClaim(inner: AlertStateStore): AlertStateStore {
  return {
    list: (cluster) => inner.list(cluster),
    write: async (next, expected) => {
      const written = await inner.write(next, expected);
      if (written && next.pending !== null) throw new Error('simulated crash after the claim');
      return written;
    },
  };
}

/** list() waits for `gate` before reading: the evaluator read its run earlier and its states late. */
function delayedList(inner: AlertStateStore, gate: Promise<void>): AlertStateStore {
  return {
    list: async (cluster) => {
      await gate;
      return inner.list(cluster);
    },
    write: (next, expected) => inner.write(next, expected),
  };
}

function deps(overrides: Partial<EvaluateDeps> = {}): EvaluateDeps {
  const logger = new RecordingLogger();
  return {
    store: new DynamoSnapshotStore(clients.doc, { tableName, retentionMs: snapshotRetentionMs(10, MINUTE), logger }),
    alerts: new DynamoAlertStateStore(clients.doc, { tableName, logger }),
    notifier: new SnsNotifier(clients.sns, { topicArn }),
    metrics: new CloudWatchMetricsSink(clients.cloudwatch, { namespace: 'LagwatchEvaluateTest', logger }),
    logger,
    clock: () => 0,
    policy: { defaults: { ...DEFAULT_POLICY, team: 'payments' }, overrides: [] },
    snapshotIntervalMs: MINUTE,
    dashboardUrl: null,
    ...overrides,
  };
}

async function storeRuns(cluster: string, from: number, count: number, groups: string[], caughtUp = false): Promise<number> {
  const store = deps().store;
  let t = from;
  for (let i = 0; i < count; i++) {
    t = from + i * MINUTE;
    await store.putSnapshot(clusterSnapshot(cluster, t, groups.map((g) => stuckGroup(cluster, g, t, { caughtUp }))));
  }
  return t;
}

function messagesFor(group: string): { Subject: string; Message: string }[] {
  return inbox.received
    .map((r) => r.json as { Subject: string; Message: string })
    .filter((m) => m.Message.includes(`"group":"${group}"`));
}

describe('runEvaluation on moto', () => {
  it('two evaluators at the same moment: exactly one SNS message for the transition', async () => {
    const now = await storeRuns('race', T0, 5, ['race-a', 'race-b']);
    const base = deps();
    const alerts = barrierAlerts(base.alerts, 2);
    const [a, b] = await Promise.all([
      runEvaluation({ ...base, alerts }, { cluster: 'race', now }),
      runEvaluation({ ...deps(), alerts }, { cluster: 'race', now }),
    ]);
    expect(a.notifications.length + b.notifications.length).toBe(2);
    expect([...a.lostClaims, ...b.lostClaims].sort()).toEqual(['race-a', 'race-b']);
    await inbox.waitFor(2);
    expect(messagesFor('race-a')).toHaveLength(1);
    expect(messagesFor('race-b')).toHaveLength(1);
    expect(messagesFor('race-a')[0]?.Subject).toMatch(/^\[ERROR\] race-a on race/);
  });

  it('SNS failing: nothing is sent and nothing is lost — the message arrives on the next run, once', async () => {
    let now = await storeRuns('flaky', T0, 5, ['flaky-a']);
    // Every Publish through the proxy fails (the SDK's own retries included) for this run.
    const snsViaProxy = awsClients(proxy.endpoint, { maxAttempts: 2 }).sns;
    proxy.rules.push({ operation: 'Publish', fault: 'server-error', remaining: 2 });
    const failing = await runEvaluation(deps({ notifier: new SnsNotifier(snsViaProxy, { topicArn }) }), { cluster: 'flaky', now });
    expect(failing.notificationFailures).toBe(1);
    expect(failing.failures[0]?.error).toMatch(/stays in the outbox/);
    expect(proxy.injected.get('Publish')).toBe(2);
    expect(messagesFor('flaky-a')).toHaveLength(0);

    now = await storeRuns('flaky', now + MINUTE, 1, ['flaky-a']);
    const before = inbox.received.length;
    const next = await runEvaluation(deps({ notifier: new SnsNotifier(snsViaProxy, { topicArn }) }), { cluster: 'flaky', now });
    expect(next.notifications.map((n) => n.kind)).toEqual(['open']);
    await inbox.waitFor(before + 1);
    expect(messagesFor('flaky-a')).toHaveLength(1);

    now = await storeRuns('flaky', now + MINUTE, 1, ['flaky-a']);
    const quiet = await runEvaluation(deps(), { cluster: 'flaky', now });
    expect(quiet.notifications).toEqual([]);
    expect(messagesFor('flaky-a')).toHaveLength(1);
  });

  it('a group that disappears gets one "gone" message and its state is removed', async () => {
    let now = await storeRuns('gone', T0, 5, ['gone-a', 'gone-b']);
    await runEvaluation(deps(), { cluster: 'gone', now });
    now = await storeRuns('gone', now + MINUTE, 1, ['gone-b']);
    const result = await runEvaluation(deps(), { cluster: 'gone', now });
    expect(result.notifications.map((n) => `${n.kind}:${n.group}`)).toEqual(['gone:gone-a']);
    const records = await deps().alerts.list('gone');
    expect(records.filter((r) => r.state !== null).map((r) => r.group)).toEqual(['gone-b']);
    expect(records.find((r) => r.group === 'gone-a')).toMatchObject({ state: null, pending: null });
    now = await storeRuns('gone', now + MINUTE, 1, ['gone-b']);
    expect((await runEvaluation(deps(), { cluster: 'gone', now })).notifications).toEqual([]);
  });

  it('a crash between the claim and the publish: the next run (another container) sends the message, once', async () => {
    let now = await storeRuns('crash', T0, 5, ['crash-a']);
    const crashed = await runEvaluation(deps({ alerts: crashAfterClaim(deps().alerts) }), { cluster: 'crash', now });
    expect(crashed.notifications).toEqual([]);
    expect(crashed.failures[0]?.error).toMatch(/simulated crash/);
    expect((await deps().alerts.list('crash'))[0]?.pending?.kind).toBe('open');
    expect(messagesFor('crash-a')).toHaveLength(0);

    now = await storeRuns('crash', now + MINUTE, 1, ['crash-a']);
    const before = inbox.received.length;
    const next = await runEvaluation(deps(), { cluster: 'crash', now });
    expect(next.notifications.map((n) => n.kind)).toEqual(['open']);
    await inbox.waitFor(before + 1);
    expect((await deps().alerts.list('crash'))[0]).toMatchObject({ pending: null, state: { status: 'ERROR' } });

    now = await storeRuns('crash', now + MINUTE, 1, ['crash-a']);
    expect((await runEvaluation(deps(), { cluster: 'crash', now })).notifications).toEqual([]);
    expect(messagesFor('crash-a')).toHaveLength(1);
  });

  it('two evaluators, one delayed: the late one cannot reopen the incident the other resolved, nor resend its open', async () => {
    const t1 = await storeRuns('late', T0, 5, ['late-a']);
    const opened = await runEvaluation(deps(), { cluster: 'late', now: t1 });
    expect(opened.notifications.map((n) => n.kind)).toEqual(['open']);
    await inbox.waitFor(inbox.received.length);

    // Evaluator A (a duplicate delivery of run t1) reads the run now and its alert records late.
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let runRead = (): void => {};
    const aHasReadItsRun = new Promise<void>((resolve) => (runRead = resolve));
    const base = deps();
    const store = {
      putSnapshot: base.store.putSnapshot.bind(base.store),
      readWindows: base.store.readWindows.bind(base.store),
      latestRun: async (cluster: string) => {
        const run = await base.store.latestRun(cluster);
        runRead();
        return run;
      },
    };
    const lateA = runEvaluation({ ...base, store, alerts: delayedList(base.alerts, gate) }, { cluster: 'late', now: t1 });
    await aHasReadItsRun;

    // Meanwhile the consumer catches up; evaluator B judges run t2 and resolves.
    const t2 = await storeRuns('late', t1 + MINUTE, 1, ['late-a'], true);
    const before = inbox.received.length;
    const resolved = await runEvaluation(deps(), { cluster: 'late', now: t2 });
    expect(resolved.notifications.map((n) => n.kind)).toEqual(['resolve']);
    await inbox.waitFor(before + 1);

    release();
    const late = await lateA;
    // A judged t1 (still stopped) but the tombstone says t2 decided: no reopen, no second "open".
    expect(late.notifications).toEqual([]);
    expect(late.lostClaims).toEqual(['late-a']);
    const records = await deps().alerts.list('late');
    expect(records).toEqual([expect.objectContaining({ group: 'late-a', state: null, pending: null, runTimestamp: t2 })]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(messagesFor('late-a').map((m) => m.Subject.split(']')[0])).toEqual(['[ERROR', '[RESOLVED']);
  });

  it('gives email subscribers the plain text and HTTP/Lambda subscribers the Chatbot JSON', () => {
    const body = JSON.parse(
      snsMessageBody({
        kind: 'open', cluster: 'c', group: 'g', team: 't', severity: 'ERROR', incidentId: 'c/g/1', at: 1,
        subject: 's', text: 'plain text', worstPartitions: [], dashboardUrl: null,
      }),
    ) as Record<string, string>;
    expect(body.email).toBe('plain text');
    expect(body.default).toBe('plain text');
    for (const protocol of ['http', 'https', 'lambda']) expect(JSON.parse(body[protocol] ?? '{}')).toMatchObject({ version: '1.0', source: 'custom' });
  });
});
