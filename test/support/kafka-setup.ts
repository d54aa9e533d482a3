// vitest globalSetup for the `kafka` project: one real broker (PLAINTEXT + SCRAM listeners) for all
// test files, fetched and started by the same harness as `npm run kafka:start`; stopped in teardown.
import type { TestProject } from 'vitest/node';
import { defaultCacheDir } from '../../functions/local/host.js';
import { LOCAL_SCRAM_USER, startKafkaBroker } from '../../functions/local/kafka-broker.js';
import { kafkaVersionFromEnv } from '../../functions/local/kafka-jars.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cacheDir = defaultCacheDir();
  const broker = await startKafkaBroker({
    version: kafkaVersionFromEnv(),
    cacheDir,
    scram: true,
    // Retention tests (test/kafka/signals.test.ts) need deleted segments within seconds, not 5 min.
    properties: { 'log.retention.check.interval.ms': '1000' },
    onProgress: (message) => process.stderr.write(`[kafka-setup] ${message}\n`),
  });
  if (!broker.scramBootstrap) throw new Error('the harness started no SCRAM listener');
  project.provide('kafkaBootstrap', broker.bootstrap);
  project.provide('kafkaScramBootstrap', broker.scramBootstrap);
  project.provide('kafkaScramUsername', LOCAL_SCRAM_USER.username);
  project.provide('kafkaScramPassword', LOCAL_SCRAM_USER.password);
  project.provide('kafkaVersion', broker.version);
  project.provide('kafkaLibsDir', broker.libsDir);
  project.provide('kafkaCacheDir', cacheDir);
  return async () => {
    const started = Date.now();
    await broker.stop();
    process.stderr.write(`[kafka-setup] broker stopped in ${Date.now() - started} ms\n`);
  };
}
