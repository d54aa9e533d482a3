// Builds the CDK app from a typed config: the stack, the cdk-nag checks and their acknowledgements.
// infra/app.ts (the cdk entry) and the tests share it, so the tests check what `cdk synth` runs.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { AppConfig } from '../functions/config/app-config.js';
import { checkDeployConfig } from '../functions/config/deployment.js';
import type { FunctionCode } from './constructs/lagwatch-function.js';
import { LagwatchStack } from './lagwatch-stack.js';
import { acknowledgeNagFindings } from './nag-acknowledgements.js';

export const DEFAULT_CONFIG_FILE = 'lagwatch.config.json';
export const EXAMPLE_CONFIG_FILE = 'lagwatch.config.example.json';

/** Which config file to read (explicit > lagwatch.config.json > the example), and whether it is the example fallback. */
export function resolveConfigPath(explicit: string | undefined, cwd: string): { path: string; fallback: boolean } {
  if (explicit !== undefined && explicit !== '') return { path: resolve(cwd, explicit), fallback: false };
  const main = resolve(cwd, DEFAULT_CONFIG_FILE);
  if (existsSync(main)) return { path: main, fallback: false };
  return { path: resolve(cwd, EXAMPLE_CONFIG_FILE), fallback: true };
}

export interface BuildOptions {
  readonly config: AppConfig;
  readonly code?: FunctionCode;
  readonly app?: App;
  readonly appProps?: AppProps;
  readonly env?: { account?: string | undefined; region?: string | undefined };
  /** The config file, named in deploy-check errors. */
  readonly configPath?: string;
}

export function buildLagwatchApp(options: BuildOptions): { app: App; stack: LagwatchStack } {
  const app = options.app ?? new App(options.appProps);
  const { config } = options;
  checkDeployConfig(config, options.configPath ?? null);
  const stack = new LagwatchStack(app, config.stackName, {
    config,
    code: options.code ?? 'esbuild',
    env: {
      account: config.account ?? options.env?.account,
      region: config.region ?? options.env?.region,
    },
    description: 'lagwatch: serverless Kafka consumer-lag alerting (Burrow rules)',
  });
  acknowledgeNagFindings(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
