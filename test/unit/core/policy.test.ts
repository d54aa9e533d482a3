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
    [{ defaults: { windowsize: 5 } }, 'policy.defaults'],
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
