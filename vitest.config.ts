import { defineConfig } from 'vitest/config';

// Three projects, one `npm test`:
// - unit: pure core, CLI, CDK template tests; no servers.
// - kafka: a real single-node Kafka broker started by test/support/kafka-setup.ts (jars from Maven Central, cached).
// - aws: moto's server (DynamoDB, SNS, CloudWatch) started by test/support/moto-setup.ts (moto from PyPI, cached venv).
// `extends: true` makes each project inherit the root options below.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // Two cores: keep the broker and moto from being starved by parallel workers.
    maxWorkers: 2,
    // The AWS SDK's "Node >= 22 from 2027" notice, once per worker and child process otherwise (README: Node 22 recommended).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'kafka',
          include: ['test/kafka/**/*.test.ts'],
          globalSetup: ['test/support/kafka-setup.ts'],
          testTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'aws',
          include: ['test/aws/**/*.test.ts'],
          globalSetup: ['test/support/moto-setup.ts'],
        },
      },
    ],
  },
});
