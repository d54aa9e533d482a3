// `lagwatch status --table`: the CLI as a user runs it, against moto over the DynamoDB wire protocol.
// It reads the newest run and the open incidents and prints the live view's table, writing nothing.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoSnapshotStore } from '../../functions/adapters/dynamodb/snapshot-store.js';
import { keys, snapshotRetentionMs } from '../../functions/adapters/dynamodb/table.js';
import { clusterSnapshot, MINUTE, RecordingLogger, stuckGroup } from '../unit/app-fakes.js';
import { runLagwatch } from '../support/lagwatch-process.js';
import { awsClients, freshTable } from './aws-clients.js';

const endpoint = inject('motoEndpoint');
const clients = awsClients(endpoint);
const T0 = 1_770_000_000_000 - (1_770_000_000_000 % MINUTE);
let tableName = '';

const AWS_ENV = { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };
const lagwatch = (args: readonly string[]) => runLagwatch(args, AWS_ENV);

beforeAll(async () => {
  tableName = await freshTable(clients.dynamodb);
  const store = new DynamoSnapshotStore(clients.doc, { tableName, retentionMs: snapshotRetentionMs(10, MINUTE), logger: new RecordingLogger() });
  for (let i = 0; i < 6; i++) {
    const t = T0 + i * MINUTE;
    await store.putSnapshot(clusterSnapshot('prod', t, [stuckGroup('prod', 'billing', t), stuckGroup('prod', 'search', t, { caughtUp: true })]));
    await store.putSnapshot(clusterSnapshot('staging', t, [stuckGroup('staging', 'etl', t, { caughtUp: true })]));
  }
});
afterAll(() => clients.dynamodb.destroy());

describe('lagwatch status', () => {
  it('prints the table of the newest run of every cluster in the table, as the live view does', async () => {
    const out = await lagwatch(['status', '--table', tableName]);
    expect(out.code, out.stderr).toBe(0);
    const newest = new Date(T0 + 5 * MINUTE).toISOString();
    expect(out.stdout).toContain(`cluster prod · newest run ${newest} · 2 group(s) listed, 0 failed`);
    expect(out.stdout).toContain(`cluster staging · newest run ${newest}`);
    expect(out.stdout).toMatch(/^CLUSTER\s+GROUP\s+STATUS\s+TOTAL LAG\s+TIME LAG\s+WORST PARTITION$/m);
    expect(out.stdout).toMatch(/^prod\s+billing\s+ERROR\s+\S+\s+\S+\s+orders\[0\] STOPPED/m);
    expect(out.stdout).toMatch(/^prod\s+search\s+OK\s+0\s/m);
    expect(out.stdout).toMatch(/^staging\s+etl\s+OK\s/m);
  });

  it('--cluster narrows it, --json prints the verdicts, and nothing is written to the table', async () => {
    const before = await clients.doc.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.alertPk('prod') } }));
    const out = await lagwatch(['status', '--table', tableName, '--region', 'us-east-1', '--cluster', 'prod', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const json = JSON.parse(out.stdout) as { cluster: string; groups: { group: string; status: string }[] }[];
    expect(json.map((c) => c.cluster)).toEqual(['prod']);
    expect(json[0]!.groups.map((g) => `${g.group}:${g.status}`)).toEqual(['billing:ERROR', 'search:OK']);
    const after = await clients.doc.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.alertPk('prod') } }));
    expect(after.Items ?? []).toEqual(before.Items ?? []);
  });

  it('names the table and what to check when it does not exist; exits 1', async () => {
    const out = await lagwatch(['status', '--table', 'no-such-table', '--cluster', 'prod']);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toContain('cannot read table no-such-table: no table no-such-table in us-east-1; check --table and --region');
  });

  it('needs --table (exit 2) and has --help', async () => {
    expect((await lagwatch(['status'])).code).toBe(2);
    const help = await lagwatch(['status', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: lagwatch status --table NAME');
  });
});
