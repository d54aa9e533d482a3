// cfn-lint (PyPI, pinned) on a synthesized template: installed once into a cached virtualenv the
// same way as moto (test/support/moto-server.ts), run offline. Errors always fail; a warning fails
// unless it is in EXPLAINED_WARNINGS with its reason.
import { spawnSync } from 'node:child_process';
import { ensureVenvTool } from '../../support/moto-server.js';

export const CFN_LINT_VERSION = '1.58.0';

export interface CfnLintFinding {
  readonly Rule: { readonly Id: string; readonly Description: string };
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Location: { readonly Path: readonly (string | number)[] };
}

/** Warnings accepted, each with why; matched on rule id and the message. */
export const EXPLAINED_WARNINGS: readonly { rule: string; message: RegExp; reason: string }[] = [
  {
    rule: 'W3005',
    message: /'\w*ServiceRole\w*' dependency already enforced by a 'GetAtt' at 'Resources\/\w+Function\w*\/Properties\/Role'/,
    reason:
      'aws-cdk-lib adds DependsOn from every Lambda function to its service role (and its default policy) so the policy exists before the function can run; the redundant DependsOn next to the GetAtt changes nothing in the deployment order.',
  },
];

export async function cfnLint(templatePath: string): Promise<CfnLintFinding[]> {
  const binary = await ensureVenvTool({
    venv: 'cfn-lint-venv',
    pipSpec: `cfn-lint==${CFN_LINT_VERSION}`,
    binary: 'cfn-lint',
    marker: `.lagwatch-cfn-lint-${CFN_LINT_VERSION}`,
  });
  const result = spawnSync(binary, ['--format', 'json', templatePath], { encoding: 'utf8' });
  // Exit status is a bit mask of the levels found (2 error, 4 warning, 8 info); anything else is a crash.
  if (result.status === null || (result.status & ~0b1110) !== 0) {
    throw new Error(`cfn-lint failed to run (status ${result.status}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout || '[]') as CfnLintFinding[];
}

/** Findings that fail the build: every error, and warnings nobody explained. */
export function unexplained(findings: readonly CfnLintFinding[]): string[] {
  return findings
    .filter((f) => f.Level === 'Error' || (f.Level === 'Warning' && !EXPLAINED_WARNINGS.some((w) => w.rule === f.Rule.Id && w.message.test(f.Message))))
    .map((f) => `${f.Level} ${f.Rule.Id} at ${f.Location.Path.join('/')}: ${f.Message}`);
}
