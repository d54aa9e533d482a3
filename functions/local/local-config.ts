// What local mode reads from a lagwatch.config.json: the clusters (connection and group filters),
// the policy and the snapshot interval. The deploy-only keys (teams, Slack, network, stack name…)
// are not needed on a laptop, so a local file may leave them out; `cdk synth` validates the rest.
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { PolicyConfig } from '../core/policy.js';
import { parseClusterConfig, type ClusterConfig } from '../config/cluster.js';
import { configErrorOf, inFile } from '../config/config-error.js';
import { parsePolicyConfig } from '../config/policy.js';
import { readJsonInput } from '../cli/io.js';

export interface LocalConfig {
  readonly clusters: readonly ClusterConfig[];
  readonly policy: PolicyConfig;
  /** null when the file does not set snapshotIntervalMs. */
  readonly snapshotIntervalMs: number | null;
}

const localConfigSchema = z.looseObject({
  clusters: z.array(z.unknown()).min(1, { message: 'configure at least one cluster' }),
  policy: z.unknown().optional(),
  snapshotIntervalMs: z.number().int().min(1_000).optional(),
});

/** Parses the keys local mode uses; errors name the file and the key (`clusters[0].brokers`). */
export function parseLocalConfig(value: unknown, file: string): LocalConfig {
  const parsed = localConfigSchema.safeParse(value);
  if (!parsed.success) throw configErrorOf(parsed.error, '', file);
  const input = parsed.data;
  const clusters = input.clusters.map((entry, i) => {
    const key = `clusters[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new ConfigError(key, `expected an object with the cluster connection (name, brokers, ...) (in ${file})`);
    }
    // Where the collector Lambda runs is the deployment's business, not local mode's.
    const { network: _network, secretKeyArns: _keys, ...connection } = entry as Record<string, unknown>;
    try {
      return parseClusterConfig(connection, key);
    } catch (error) {
      throw error instanceof ConfigError ? inFile(error, file) : error;
    }
  });
  let policy: PolicyConfig;
  try {
    policy = parsePolicyConfig(input.policy ?? {}, 'policy');
  } catch (error) {
    throw error instanceof ConfigError ? inFile(error, file) : error;
  }
  return { clusters, policy, snapshotIntervalMs: input.snapshotIntervalMs ?? null };
}

/** Reads and parses `file` (see parseLocalConfig); an unreadable or malformed file names it. */
export async function loadLocalConfig(file: string): Promise<LocalConfig> {
  return parseLocalConfig(await readJsonInput(file), file);
}
