// The named scenario files (test/scenarios/*.json): the same data drives the unit tests, the
// `evaluate` CLI examples in the README and the demo's expectations.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seriesDocumentFromJson, type SeriesDocument } from '../../functions/cli/evaluate.js';

export const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

export interface ScenarioExpectation {
  readonly status: string;
  /** "topic[partition]" → partition status. */
  readonly partitions: Readonly<Record<string, string>>;
  readonly insufficientData?: readonly string[];
  readonly noCommits?: readonly string[];
  readonly topicRecreated?: readonly string[];
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly expect: ScenarioExpectation;
  readonly document: SeriesDocument;
}

export function loadScenarios(): Scenario[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const raw = JSON.parse(readFileSync(join(SCENARIO_DIR, file), 'utf8')) as { description: string; expect: ScenarioExpectation };
      return { name: file.replace(/\.json$/, ''), description: raw.description, expect: raw.expect, document: seriesDocumentFromJson(raw) };
    });
}
