import { describe, expect, it } from 'vitest';
import { parsePolicyConfig } from '../../../functions/config/policy.js';
import { ConfigError } from '../../../functions/core/errors.js';
import { compilePattern, DEFAULT_POLICY, resolvePolicy } from '../../../functions/core/policy.js';

describe('group-name patterns', () => {
  it.each([
    ['glob * matches any run', 'payments-*', 'payments-consumer', true],
    ['glob is anchored', 'payments-*', 'old-payments-consumer', false],
    ['glob ? is one character', 'app-?', 'app-1', true],
    ['glob dots are literal', 'a.b', 'axb', false],
    ['/regex/ is used as written', '/^pay|^bill/', 'billing', true],
    ['/regex/i takes flags', '/^PAY/i', 'payments', true],
  ])('%s', (_reason, pattern, name, matches) => expect(compilePattern(pattern).test(name)).toBe(matches));
});

describe('policy resolution', () => {
  const config = parsePolicyConfig({
    defaults: { allowedLag: 0, team: 'platform' },
    overrides: [
      { match: 'payments-*', team: 'payments', alertSeverity: 'WARNING' },
      { match: 'payments-batch-*', windowSize: 30, mute: true },
      { match: '/^tx-/', allowedLag: '1', repeatIntervalSeconds: 600 },
    ],
  });
  it('defaults apply to an unmatched group', () => {
    expect(resolvePolicy(config, 'search')).toEqual({ ...DEFAULT_POLICY, team: 'platform' });
  });
  it('overrides apply in order, key by key; a later match keeps earlier keys it does not set', () => {
    expect(resolvePolicy(config, 'payments-batch-nightly')).toMatchObject({ team: 'payments', alertSeverity: 'WARNING', windowSize: 30, mute: true });
  });
  it('converts config units: seconds → ms, lag strings → bigint', () => {
    expect(resolvePolicy(config, 'tx-ledger')).toMatchObject({ allowedLag: 1n, repeatIntervalMs: 600_000 });
  });
});

describe('policy config validation names the key', () => {
  it.each([
    [{ defaults: { windowSize: 1 } }, 'policy.defaults.windowSize'],
    [{ defaults: { allowedLag: -1 } }, 'policy.defaults.allowedLag'],
    [{ overrides: [{ team: 'x' }] }, 'policy.overrides[0].match'],
    [{ overrides: [{ match: 'a' }, { match: '/(/' }] }, 'policy.overrides[1].match'],
    [{ overrides: [{ match: 'a', alertSeverity: 'STOPPED' }] }, 'policy.overrides[0].alertSeverity'],
    [{ defaults: { windowsize: 5 } }, 'policy.defaults.windowsize'], // a misspelt key is named itself, as in the cluster and app config
  ])('%j → %s', (value, key) => {
    const error = (() => {
      try {
        parsePolicyConfig(value);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
  });
});

describe('§6 policy keys and impossible combinations (rejected at config load, naming the key)', () => {
  const load = (value: unknown, snapshotIntervalMs?: number) => {
    try {
      return parsePolicyConfig(value, 'policy', snapshotIntervalMs === undefined ? {} : { snapshotIntervalMs });
    } catch (e) {
      return e as ConfigError;
    }
  };
  it('defaults: emptyGraceSeconds 60, stallAfterSeconds 180, retentionRiskShare 0.8, maxTimeLagSeconds 1800, alertSeverity WARNING', () => {
    expect(load({})).toMatchObject({
      defaults: { emptyGraceSeconds: 60, stallAfterSeconds: 180, retentionRiskShare: 0.8, maxTimeLagSeconds: 1800, alertSeverity: 'WARNING' },
    });
  });
  it.each([
    ['a grace shorter than the snapshot interval cannot be observed', { defaults: { emptyGraceSeconds: 30 } }, 60_000, 'policy.defaults.emptyGraceSeconds', /shorter than the snapshot interval/],
    ['the same in an override names the override', { overrides: [{ match: 'a', stallAfterSeconds: 120 }] }, 300_000, 'policy.overrides[0].stallAfterSeconds', /shorter than the snapshot interval/],
    ['minimumSnapshots above windowSize: never judged', { defaults: { minimumSnapshots: 12 } }, undefined, 'policy.defaults.minimumSnapshots', /more than windowSize 10/],
    ['an override shrinking the window below the default minimumSnapshots', { overrides: [{ match: 'a', windowSize: 2 }] }, undefined, 'policy.overrides[0].minimumSnapshots', /more than windowSize 2/],
    ['minimumComplete a stopped consumer’s collapsed window can never meet', { defaults: { minimumComplete: 0.6 } }, undefined, 'policy.defaults.minimumComplete', /never be met/],
    ['a regex with the g flag (stateful lastIndex)', { overrides: [{ match: '/^pay/g', team: 'x' }] }, undefined, 'policy.overrides[0].match', /g and y flags/],
    ['a regex with the y flag', { overrides: [{ match: '/^pay/y', team: 'x' }] }, undefined, 'policy.overrides[0].match', /g and y flags/],
    ['retentionRiskShare above 1', { defaults: { retentionRiskShare: 1.5 } }, undefined, 'policy.defaults.retentionRiskShare', /./],
  ] as const)('%s', (_reason, value, interval, key, message) => {
    const error = load(value, interval);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
    expect((error as ConfigError).message).toMatch(message);
  });
  it.each([
    ['minimumComplete at exactly half the window is allowed (rule 2 can still fire)', { defaults: { minimumComplete: 0.5 } }, undefined],
    ['a grace equal to the interval is allowed', { defaults: { emptyGraceSeconds: 60 } }, 60_000],
    ['an i flag is fine', { overrides: [{ match: '/^PAY/i', team: 'x' }] }, undefined],
  ] as const)('%s', (_reason, value, interval) => {
    expect(load(value, interval)).not.toBeInstanceOf(ConfigError);
  });
  it('unset grace and stall times follow a slow interval instead of failing', () => {
    expect((load({}, 300_000) as ReturnType<typeof parsePolicyConfig>).defaults).toMatchObject({ emptyGraceSeconds: 300, stallAfterSeconds: 300 });
  });
});
