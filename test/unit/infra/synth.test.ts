// The real thing: `npx cdk synth` as a user runs it — offline, without AWS credentials, bundling the
// handlers with the local esbuild — then each bundle is loaded in a fresh Node process with the
// environment the template gives it, to prove it starts and exports its handler.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV } from '../../../functions/config/env.js';
import { REPO_ROOT, exampleConfig } from './fixtures.js';

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
  it('synthesizes the example offline, bundles every handler, and each bundle loads', () => {
    const out = join(work, 'cdk.out');
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', out], {
      cwd: REPO_ROOT,
      env: offlineEnv({ LAGWATCH_CONFIG: 'lagwatch.config.example.json' }),
      encoding: 'utf8',
    });
    expect(result.stderr).not.toMatch(/AwsSolutions-\S+ .*not acknowledged|Validation failed/);
    expect(result.status, result.stderr).toBe(0);
    const template = JSON.parse(readFileSync(join(out, 'Lagwatch.template.json'), 'utf8')) as { Resources: Record<string, Resource> };
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
