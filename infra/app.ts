// `cdk synth` / `cdk deploy` entry (cdk.json: `npx tsx infra/app.ts`). Reads the app config —
// `-c config=FILE`, else LAGWATCH_CONFIG, else lagwatch.config.json — and falls back to the committed
// example so a fresh clone synthesizes as is. A bad value fails here, naming the file and the key.
import { App } from 'aws-cdk-lib';
import { loadAppConfig } from '../functions/config/app-config.js';
import { LagwatchError } from '../functions/core/errors.js';
import { buildLagwatchApp, DEFAULT_CONFIG_FILE, EXAMPLE_CONFIG_FILE, resolveConfigPath } from './build-app.js';

try {
  const app = new App();
  const fromContext = app.node.tryGetContext('config') as string | undefined;
  const { path, fallback } = resolveConfigPath(fromContext ?? process.env.LAGWATCH_CONFIG, process.cwd());
  if (fallback) {
    process.stderr.write(
      `lagwatch: ${DEFAULT_CONFIG_FILE} not found, synthesizing ${EXAMPLE_CONFIG_FILE} (copy it to ${DEFAULT_CONFIG_FILE} and edit it to deploy)\n`,
    );
  }
  const config = loadAppConfig(path);
  buildLagwatchApp({
    app,
    config,
    configPath: path,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  app.synth();
} catch (error) {
  if (!(error instanceof LagwatchError)) throw error;
  process.stderr.write(`lagwatch: ${error.message}\n`);
  process.exit(1);
}
