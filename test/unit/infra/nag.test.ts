// cdk-nag 3.x AwsSolutionsChecks run as a CDK validation plugin during synth: zero unacknowledged
// findings, every acknowledgement (infra/nag-acknowledgements.ts) carries a reason, and the checks
// really run (without the acknowledgements, synth fails).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { parseAppConfig } from '../../../functions/config/app-config.js';
import { buildLagwatchApp } from '../../../infra/build-app.js';
import { LagwatchStack } from '../../../infra/lagwatch-stack.js';
import { exampleConfig, minimalConfig } from './fixtures.js';

interface Report {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string }[];
    suppressedViolations?: { ruleName: string; acknowledgedId?: string; reason?: string; [k: string]: unknown }[];
  }[];
}

function outdir(): string {
  return mkdtempSync(join(tmpdir(), 'lagwatch-nag-'));
}

function readReport(dir: string): Report {
  return JSON.parse(readFileSync(join(dir, 'validation-report.json'), 'utf8')) as Report;
}

const configs: [string, Record<string, any>][] = [
  ['the example (private MSK IAM + public SCRAM, Chatbot)', exampleConfig()],
  [
    'a minimal config with the Slack webhook forwarder',
    { ...minimalConfig(), region: 'us-east-1', slack: { webhookSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hook' } },
  ],
];

// Synth takes seconds on a loaded 2-core machine; this is a limit, not a timing assertion.
describe('cdk-nag AwsSolutions', { timeout: 120_000 }, () => {
  it.each(configs)('%s: synthesizes with zero unacknowledged findings, each acknowledgement with a reason', (_name, json) => {
    const dir = outdir();
    const { app } = buildLagwatchApp({ config: parseAppConfig(json), code: 'inline-stub', app: new App({ outdir: dir }) });
    app.synth();
    const report = readReport(dir).pluginReports.find((p) => p.pluginName === 'AwsSolutions');
    expect(report?.conclusion).toBe('success');
    expect(report?.violations).toEqual([]);
    const suppressed = report?.suppressedViolations ?? [];
    // Exactly the finding families infra/nag-acknowledgements.ts accepts: Node 22 runtime, the Lambda
    // managed policies, the scoped wildcards, the dead-letter queue without its own DLQ.
    expect([...new Set(suppressed.map((f) => f.ruleName.replace(/\[.*$/, '')))].sort()).toEqual([
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-SQS3',
    ]);
    for (const finding of suppressed) expect(JSON.stringify(finding)).toMatch(/"(reason|acknowledgedReason)":"[^"]{40,}/);
  });

  it('fails synth without the acknowledgements (the checks really run)', () => {
    const dir = outdir();
    const app = new App({ outdir: dir });
    new LagwatchStack(app, 'Lagwatch', { config: parseAppConfig(exampleConfig()), code: 'inline-stub' });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions/);
    const rules = readReport(dir).pluginReports[0]!.violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-L1', 'AwsSolutions-IAM5[Resource::*]']));
  });

  it('fails synth on a new wildcard the acknowledgements do not cover', async () => {
    const { PolicyStatement } = await import('aws-cdk-lib/aws-iam');
    const dir = outdir();
    const { app, stack } = buildLagwatchApp({
      config: parseAppConfig(exampleConfig()),
      code: 'inline-stub',
      app: new App({ outdir: dir }),
    });
    stack.evaluator.function.function.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }));
    expect(() => app.synth()).toThrow(/AwsSolutions/);
    expect(readReport(dir).pluginReports[0]!.violations.map((v) => v.ruleName)).toContain('AwsSolutions-IAM5[Action::dynamodb:*]');
  });
});
