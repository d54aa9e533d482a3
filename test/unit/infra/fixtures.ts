// Config fixtures for the infra and app-config tests: the committed example, and variations of it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const EXAMPLE_PATH = `${REPO_ROOT}lagwatch.config.example.json`;

/** A fresh, mutable copy of the example config (JSON). */
export function exampleConfig(): Record<string, any> {
  return JSON.parse(readFileSync(EXAMPLE_PATH, 'utf8')) as Record<string, any>;
}

/** The smallest config that deploys: one public cluster, one team. */
export function minimalConfig(): Record<string, any> {
  return {
    clusters: [{ name: 'local', brokers: ['kafka.example.com:9092'] }],
    teams: [{ name: 'default', emails: ['oncall@example.com'] }],
  };
}
