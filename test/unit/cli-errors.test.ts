// How commands fail: exit codes (kafkajs puts a numeric `code` on its errors), one line without a
// stack trace unless --verbose, unknown or misspelled input keys named, patterns checked at startup,
// and the hint for flags npm swallowed.
import { describe, expect, it } from 'vitest';
import { checkInput, partitionInputSchema, seriesInputSchema } from '../../functions/cli/evaluate-input.js';
import { describeError, exitCodeFor } from '../../functions/cli/exit.js';
import { CollectorError, ConfigError, InputError, UsageError } from '../../functions/core/errors.js';
import { compilePattern } from '../../functions/core/policy.js';
import { parseClusterConfig } from '../../functions/config/cluster.js';
import { applyGroupFilter, flagsTakenByNpm, parseGroupFilter } from '../../functions/local/cli-args.js';
import { kafkaUuid } from '../../functions/local/kafka-broker.js';

class KafkaJSProtocolError extends Error {
  override name = 'KafkaJSProtocolError';
  code = 3; // UNKNOWN_TOPIC_OR_PARTITION
  type = 'UNKNOWN_TOPIC_OR_PARTITION';
}

describe('exitCodeFor', () => {
  it.each([
    ['bad input exits 2', new InputError('x'), 2],
    ['bad config exits 2', new ConfigError('a.b', 'x'), 2],
    ['bad usage exits 2', new UsageError('x'), 2],
    ["node's parseArgs error exits 2", Object.assign(new TypeError('Unknown option'), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }), 2],
    ['a cluster failure exits 1', new CollectorError('x'), 1],
    ["kafkajs's numeric code is not a string: exits 1, no TypeError", new KafkaJSProtocolError('This server does not host this topic-partition'), 1],
    ['a thrown string exits 1', 'boom', 1],
    ['null exits 1', null, 1],
  ])('%s', (_reason, error, code) => expect(exitCodeFor(error)).toBe(code));
});

describe('describeError', () => {
  it('prints one line for a lagwatch error, pointing to --verbose when it had more', () => {
    expect(describeError(new CollectorError('cannot reach 127.0.0.1:1'), false)).toBe('cannot reach 127.0.0.1:1');
    const multi = describeError(new CollectorError('broker exited\nlog tail:\n...'), false);
    expect(multi).toBe('broker exited (details: run again with --verbose)');
  });

  it('names a foreign error (kafkajs, a bug) without its stack unless verbose', () => {
    const error = new KafkaJSProtocolError('This server does not host this topic-partition');
    const line = describeError(error, false);
    expect(line).toBe('KafkaJSProtocolError: This server does not host this topic-partition (run again with --verbose for the stack trace)');
    expect(line).not.toContain('\n');
    const verbose = describeError(new Error('outer', { cause: error }), true);
    expect(verbose).toMatch(/^Error: outer\n\s+at /);
    expect(verbose).toContain('caused by: KafkaJSProtocolError');
  });
});

describe('evaluate input schema', () => {
  const snapshot = (partition: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    snapshots: [{ cluster: 'c', group: 'g', timestamp: 1, partitions: [{ topic: 't', partition: 0, committedOffset: '5', logEndOffset: 9, ...partition }], ...extra }],
  });
  it.each([
    ['a misspelled key is named with its index and the key it resembles', snapshot({ comittedOffset: 5 }), /snapshots\[0\]\.partitions\[0\]: unknown key "comittedOffset" \(did you mean "committedOffset"\?\)/],
    ['a missing committedOffset is not "no commits"', { snapshots: [{ cluster: 'c', group: 'g', timestamp: 1, partitions: [{ topic: 't', partition: 0, logEndOffset: 9 }] }] }, /snapshots\[0\]\.partitions\[0\]\.committedOffset: is missing/],
    ['an unknown top-level key', { snapshot: [] }, /input: unknown key "snapshot" \(did you mean "snapshots"\?\)/],
    ['a non-numeric offset', snapshot({ logEndOffset: 'lots' }), /logEndOffset: must be a non-negative integer/],
    ['an unknown missing signal', snapshot({ missingSignals: ['log-end'] }), /missingSignals: must be an array of log-start/],
    ['a retention below -1', snapshot({ retentionMs: -2 }), /retentionMs: must be milliseconds/],
    ['assignments with a non-number partition', snapshot({}, { assignments: { t: ['0'] } }), /assignments: must be an object of topic/],
  ])('rejects %s', (_reason, input, message) => {
    expect(() => checkInput(seriesInputSchema, input)).toThrow(InputError);
    expect(() => checkInput(seriesInputSchema, input)).toThrow(message);
  });

  it('accepts the snapshot signals other collectors write (all optional, null allowed)', () => {
    const full = snapshot(
      { logStartOffset: '18446744073709551615', retentionMs: -1, missingSignals: ['log-start', 'record-timestamp', 'retention', 'assignments'], committedRecordTimestamp: null },
      { assignments: { t: [0, 1] }, members: null, state: 'Stable' },
    );
    expect(() => checkInput(seriesInputSchema, full)).not.toThrow();
    expect(() => checkInput(seriesInputSchema, snapshot({ logStartOffset: null, retentionMs: null }, { assignments: null }))).not.toThrow();
  });

  it('names the index of a bad evaluate-partition item', () => {
    expect(() => checkInput(partitionInputSchema, { window: [], brokerOffsets: [], currentLag: 0, now: 0, alowedLag: 1 }, '[2]')).toThrow(
      /\[2\]: unknown key "alowedLag" \(did you mean "allowedLag"\?\)/,
    );
  });
});

describe('one pattern syntax', () => {
  it.each([
    ['a glob with a character class (was taken literally before)', 'my-[a-z]*', 'my-app', true],
    ['the character class excludes digits', 'my-[a-z]*', 'my-1app', false],
    ['a star glob', 'payments-*', 'payments-eu', true],
    ['a glob is anchored', 'payments-*', 'old-payments-eu', false],
    ['? is one character', 'a?c', 'abc', true],
    ['braces', '{orders,billing}-*', 'billing-x', true],
    ['a dot is literal in a glob', 'a.b', 'axb', false],
    ['a leading dot matches', '*', '.hidden', true],
    ['a regex between slashes is unanchored', '/pay/', 'old-payments', true],
    ['regex flags are kept', '/^PAY/i', 'payments', true],
  ])('%s', (_reason, pattern, name, matches) => expect(compilePattern(pattern).test(name)).toBe(matches));

  it.each([
    ['an unclosed bracket', 'my-[a-z', /pattern "my-\[a-z" is not a valid glob/],
    ['a bad regex', '/(/', /pattern "\/\(\/" is not a valid regular expression/],
    ['a stateful g flag', '/a/g', /the g and y flags make matching stateful/],
  ])('rejects %s, naming it', (_reason, pattern, message) => expect(() => compilePattern(pattern)).toThrow(message));

  it('--group-pattern replaces allow, --exclude-pattern adds to deny, and a bad one is a usage error naming the flag', () => {
    const cluster = parseClusterConfig({ name: 'c', brokers: ['h:1'], groups: { allow: ['*'], deny: ['_*'] } });
    expect(applyGroupFilter(cluster, parseGroupFilter({})).groups).toEqual(cluster.groups);
    const filter = parseGroupFilter({ 'group-pattern': ['pay-*'], 'exclude-pattern': ['pay-test'] });
    expect(applyGroupFilter(cluster, filter).groups).toEqual({ allow: ['pay-*'], deny: ['_*', 'pay-test'] });
    expect(() => parseGroupFilter({ 'exclude-pattern': ['[x'] })).toThrow(/--exclude-pattern: pattern "\[x" is not a valid glob/);
  });
});

describe('flags npm swallowed (npm start --brokers x, without --)', () => {
  it.each([
    ['under npm, a lagwatch flag npm took as its config', { npm_lifecycle_event: 'start', npm_config_brokers: 'true' }, ['brokers']],
    ['dashes become underscores', { npm_lifecycle_event: 'start', npm_config_group_pattern: 'true' }, ['group-pattern']],
    ["npm's own config is not ours", { npm_lifecycle_event: 'start', npm_config_cache: '/x' }, []],
    ['not under npm: never', { npm_config_brokers: 'true' }, []],
  ])('%s', (_reason, env, expected) => expect(flagsTakenByNpm(['brokers', 'group-pattern', 'help'], env)).toEqual(expected));
});

describe('kafkaUuid', () => {
  it("never starts with '-' (StorageTool would read it as a flag)", () => {
    // 0xf8 0x... base64url-encodes to "-..."; the next draw does not.
    const draws = [Buffer.alloc(16, 0xfb), Buffer.alloc(16, 0x01)];
    let calls = 0;
    const id = kafkaUuid(() => draws[calls++]!);
    expect(Buffer.alloc(16, 0xfb).toString('base64url').startsWith('-')).toBe(true);
    expect(id.startsWith('-')).toBe(false);
    expect(calls).toBe(2);
    expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
