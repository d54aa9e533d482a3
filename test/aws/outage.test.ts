// Hold when blind on moto (§6.2 rule 7): a collector outage during an open incident sends no
// resolve; the first judged OK afterwards does. A failed collection of the group never resolves it.
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoAlertStateStore } from '../../functions/adapters/dynamodb/alert-state-store.js';
import { DynamoSnapshotStore } from '../../functions/adapters/dynamodb/snapshot-store.js';
import { snapshotRetentionMs } from '../../functions/adapters/dynamodb/table.js';
import { SnsNotifier } from '../../functions/adapters/sns/sns-notifier.js';
import { runEvaluation, type EvaluateDeps } from '../../functions/app/evaluate.js';
import type { Notification } from '../../functions/core/notification.js';
import { DEFAULT_POLICY } from '../../functions/core/policy.js';
import { clusterSnapshot, MINUTE, RecordingLogger, stuckGroup } from '../unit/app-fakes.js';
import { awsClients, freshTable } from './aws-clients.js';

const clients = awsClients(inject('motoEndpoint'));
const T0 = 1_760_000_000_000 - (1_760_000_000_000 % MINUTE);
let tableName = '';
let topicArn = '';

beforeAll(async () => {
  tableName = await freshTable(clients.dynamodb);
  topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: 'lagwatch-alerts-outage-test' }))).TopicArn ?? '';
});

function evaluator(sent: Notification[]) {
  const logger = new RecordingLogger();
  const sns = new SnsNotifier(clients.sns, { topicArn });
  const deps: EvaluateDeps = {
    store: new DynamoSnapshotStore(clients.doc, { tableName, retentionMs: snapshotRetentionMs(10, MINUTE), logger }),
    alerts: new DynamoAlertStateStore(clients.doc, { tableName, logger }),
    notifier: { publish: async (n) => (await sns.publish(n), void sent.push(n)) },
    metrics: { put: async () => undefined },
    logger,
    clock: () => 0,
    policy: { defaults: { ...DEFAULT_POLICY, team: 'payments' }, overrides: [] },
    snapshotIntervalMs: MINUTE,
    dashboardUrl: null,
  };
  return {
    /** A collection run at `t` (the group stuck, or caught up), then the evaluator at `t`. */
    async run(cluster: string, t: number, options: { caughtUp?: boolean; failed?: boolean } = {}) {
      const groups = options.failed ? [] : [stuckGroup(cluster, 'billing', t, { caughtUp: options.caughtUp })];
      await deps.store.putSnapshot(clusterSnapshot(cluster, t, groups, options.failed ? ['billing'] : []));
      return runEvaluation({ ...deps, clock: () => t }, { cluster, now: t });
    },
    evaluateOnly: (cluster: string, t: number) => runEvaluation({ ...deps, clock: () => t }, { cluster, now: t }),
  };
}

describe('hold when blind, on moto', () => {
  it('a 15-minute collector outage during an open incident sends no resolve; the first judged OK does', async () => {
    const sent: Notification[] = [];
    const e = evaluator(sent);
    for (let i = 0; i < 3; i++) await e.run('outage', T0 + i * MINUTE);
    expect(sent.map((n) => [n.kind, n.severity])).toEqual([['open', 'ERROR']]);
    // The collector is down for 15 minutes: no run records. An evaluator that runs anyway decides nothing.
    expect((await e.evaluateOnly('outage', T0 + 10 * MINUTE)).stale).toBe(true);
    // Back, and the consumer has recovered: the first runs hold fewer than minimumSnapshots snapshots.
    const back = T0 + 18 * MINUTE;
    const first = await e.run('outage', back, { caughtUp: true });
    const second = await e.run('outage', back + MINUTE, { caughtUp: true });
    expect([first.verdicts[0], second.verdicts[0]]).toMatchObject([{ status: 'ERROR', stale: true }, { status: 'ERROR', stale: true }]);
    expect(sent.map((n) => n.kind)).toEqual(['open']);
    const judged = await e.run('outage', back + 2 * MINUTE, { caughtUp: true });
    expect(judged.verdicts[0]).toMatchObject({ status: 'OK', stale: false });
    expect(sent.map((n) => [n.kind, n.severity])).toEqual([
      ['open', 'ERROR'],
      ['resolve', 'OK'],
    ]);
  });

  it('a failed collection of the group never resolves it, and the run after the gap holds too', async () => {
    const sent: Notification[] = [];
    const e = evaluator(sent);
    for (let i = 0; i < 3; i++) await e.run('failed', T0 + i * MINUTE);
    await e.run('failed', T0 + 3 * MINUTE, { failed: true });
    const after = await e.run('failed', T0 + 4 * MINUTE, { caughtUp: true });
    expect(after.verdicts[0]).toMatchObject({ status: 'ERROR', stale: true });
    expect(sent.map((n) => n.kind)).toEqual(['open']);
  });
});
