// One way to build every lagwatch Lambda: Node 22 on ARM, bundled by the local esbuild (no Docker),
// its own log group with a retention, and the environment checked against Lambda's 4 KB limit.
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ConfigError } from '../../functions/core/errors.js';
import { LAMBDA_ENV_LIMIT_BYTES } from '../../functions/config/deployment.js';

/**
 * `esbuild`: the real bundle (what `cdk deploy` ships). `inline-stub`: a one-line inline handler, so
 * template tests that are about wiring do not pay for bundling; at least one test synthesizes with
 * `esbuild` (test/unit/infra/synth.test.ts).
 */
export type FunctionCode = 'esbuild' | 'inline-stub';

export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;
export const LAMBDA_ARCHITECTURE = lambda.Architecture.ARM_64;

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LagwatchFunctionProps {
  /** Handler file relative to the repo root, e.g. functions/handlers/collector.ts (exports `handler`). */
  readonly entry: string;
  readonly description: string;
  readonly code: FunctionCode;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly logRetentionDays: logs.RetentionDays;
  /** Config key blamed when the environment is too large (e.g. `clusters[0]`). */
  readonly configKey: string;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

export class LagwatchFunction extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: LagwatchFunctionProps) {
    super(scope, id);
    const envBytes = Object.entries(props.environment).reduce(
      (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v),
      0,
    );
    if (envBytes > LAMBDA_ENV_LIMIT_BYTES) {
      throw new ConfigError(
        props.configKey,
        `the ${id} function's environment would be ${envBytes} bytes, over Lambda's ${LAMBDA_ENV_LIMIT_BYTES}-byte limit: shorten it (fewer policy overrides, PEMs in Secrets Manager)`,
      );
    }
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const common = {
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      timeout: props.timeout,
      memorySize: props.memorySize,
      logGroup: this.logGroup,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
    } satisfies Partial<lambda.FunctionProps>;

    if (props.code === 'inline-stub') {
      this.function = new lambda.Function(this, 'Function', {
        ...common,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => { throw new Error("test stub"); };'),
      });
      return;
    }
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      ...common,
      entry: `${REPO_ROOT}${props.entry}`,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      bundling: {
        forceDockerBundling: false,
        // CJS: kafkajs and the SDK are CommonJS inside; esbuild's ESM output would need a require shim.
        format: nodejs.OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // Bundle the pinned SDK rather than the runtime's: the versions tested are the versions shipped.
        bundleAwsSDK: true,
        tsconfig: `${REPO_ROOT}tsconfig.json`,
      },
    });
  }
}
