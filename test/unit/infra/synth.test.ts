// The real thing: `npx cdk synth` as a user runs it — offline, without AWS credentials, bundling the
// handlers with the local esbuild — then each bundle is loaded in a fresh Node process with the
// environment the template gives it, to prove it starts and exports its handler.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV } from '../../../functions/config/env.js';
import { Template } from 'aws-cdk-lib/assertions';
import { parseAppConfig } from '../../../functions/config/app-config.js';
import { buildLagwatchApp } from '../../../infra/build-app.js';
import { cfnLint, unexplained } from './cfn-lint.js';
import { REPO_ROOT, exampleConfig, minimalConfig } from './fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'lagwatch-synth-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The environment without AWS credentials or region: synth must not need them. */
function offlineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_') && !k.startsWith('CDK_')) env[k] = v;
  return { ...env, ...extra };
}

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, string> };

// Generous limits: bundling on a loaded 2-core machine. Nothing here asserts on time.
describe('cdk synth', { timeout: 300_000 }, () => {
  it('synthesizes the example offline (cdk-nag and cfn-lint clean), bundles every handler, and each bundle loads', async () => {
    const out = join(work, 'cdk.out');
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', out], {
      cwd: REPO_ROOT,
      env: offlineEnv({ LAGWATCH_CONFIG: 'lagwatch.config.example.json' }),
      encoding: 'utf8',
    });
    expect(result.stderr).not.toMatch(/AwsSolutions-\S+ .*not acknowledged|Validation failed/);
    expect(result.status, result.stderr).toBe(0);
    const templatePath = join(out, 'Lagwatch.template.json');
    expect(unexplained(await cfnLint(templatePath))).toEqual([]);
    const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Resources: Record<string, Resource> };
    const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(3);

    for (const [id, fn] of functions) {
      const assetDir = join(out, fn.Metadata?.['aws:asset:path'] ?? 'missing');
      expect(existsSync(join(assetDir, 'index.js')), `${id} bundle`).toBe(true);
      // Template values that are CloudFormation references become placeholders.
      const env: Record<string, string> = { AWS_REGION: 'eu-west-1' };
      for (const [k, v] of Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>)) {
        env[k] = typeof v === 'string' ? v : k === ENV.alertTopicArn ? 'arn:aws:sns:eu-west-1:123456789012:t' : 'placeholder';
      }
      const load = spawnSync(
        process.execPath,
        ['-e', "const m = require('./index.js'); process.stdout.write(typeof m.handler)"],
        { cwd: assetDir, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' },
      );
      expect(load.status, `${id}: ${load.stderr}`).toBe(0);
      expect(load.stdout, id).toBe('function');
    }
  });

  it('cfn-lint finds no error and no unexplained warning in the forwarder variant, and fails a broken template', async () => {
    // The Slack webhook forwarder, its dead-letter queue and alarms are not in the example.
    const config = { ...minimalConfig(), region: 'eu-west-1', slack: { webhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hook' } };
    const { stack } = buildLagwatchApp({ config: parseAppConfig(config), code: 'inline-stub' });
    const forwarder = join(work, 'forwarder.template.json');
    writeFileSync(forwarder, JSON.stringify(Template.fromStack(stack).toJSON()));
    expect(unexplained(await cfnLint(forwarder))).toEqual([]);

    // The linter really runs: a broken template fails it.
    const broken = JSON.parse(readFileSync(forwarder, 'utf8')) as { Resources: Record<string, Resource> };
    const fnId = Object.keys(broken.Resources).find((id) => broken.Resources[id]!.Type === 'AWS::Lambda::Function')!;
    broken.Resources[fnId]!.Properties.Runtime = 'nodejs1.x';
    writeFileSync(forwarder, JSON.stringify(broken));
    expect(unexplained(await cfnLint(forwarder)).join('\n')).toMatch(/^Error E\d+ at Resources\/\w+\/Properties\/Runtime/m);
  });

  it('fails with the file and the key named when the config is wrong', () => {
    const config = exampleConfig();
    delete config.clusters[0].network.subnetIds;
    const path = join(work, 'bad.config.json');
    writeFileSync(path, JSON.stringify(config));
    const result = spawnSync('npx', ['tsx', 'infra/app.ts'], {
      cwd: REPO_ROOT,
      env: offlineEnv({ LAGWATCH_CONFIG: path, CDK_OUTDIR: join(work, 'bad.out') }),
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('config clusters[0].network.subnetIds:');
    expect(result.stderr).toContain(path);
  });
});
