import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { FlagError } from './guardrail-flags.ts';
import { ModelsFileError } from './models-command.ts';
import { authFailureLimits, consoleSessionTtlMs, gatewayBanner, gatewayOptions, parseFailOpen, type ServeFlags } from './serve-command.ts';

const ARN = 'arn:aws:bedrock:us-east-1:111122223333:guardrail/abcdefghijkl';
const flags = (f: Partial<ServeFlags> = {}): ServeFlags => ({ host: '127.0.0.1', ...f });

describe('serve: --fail-open', () => {
  it('accepts a guardrail ARN, with or without a version', () => {
    assert.equal(parseFailOpen(ARN), ARN);
    assert.equal(parseFailOpen(`${ARN}:3`), `${ARN}:3`);
    assert.equal(parseFailOpen(` ${ARN}:DRAFT `), `${ARN}:DRAFT`);
  });

  it('rejects what is not a guardrail ARN, saying what is expected', () => {
    for (const bad of [
      'abcdefghijkl',
      'arn:aws:bedrock:us-east-1:1111:guardrail/abc',
      'arn:aws:bedrock:us-east-1:111122223333:guardrail/ABC',
      'arn:aws:iam::111122223333:root',
      `${ARN}/extra`,
      '',
    ])
      assert.throws(() => parseFailOpen(bad), (e: unknown) => e instanceof FlagError && /is not a guardrail ARN \(expected arn:aws:bedrock:/.test(e.message), bad);
    assert.throws(() => parseFailOpen('arn:aws:bedrock:Mars:111122223333:guardrail/abc'), /'Mars' is not a Region name/);
    assert.throws(() => parseFailOpen(`${ARN}:0`), /the version '0' must be a version number or DRAFT/);
    assert.throws(() => parseFailOpen(`${ARN}:`), /the version '' must be/);
  });

  it('property: every well-formed ARN with an optional version is accepted as is', () => {
    const region = fc.constantFrom('us-east-1', 'eu-west-2', 'ap-southeast-3', 'us-gov-west-1');
    const account = fc.stringMatching(/^[0-9]{12}$/);
    const id = fc.stringMatching(/^[a-z0-9]{1,12}$/);
    const version = fc.option(fc.oneof(fc.integer({ min: 1, max: 9999 }).map(String), fc.constant('DRAFT')), { nil: undefined });
    fc.assert(
      fc.property(region, account, id, version, (r, a, g, v) => {
        const arn = `arn:aws:bedrock:${r}:${a}:guardrail/${g}${v === undefined ? '' : `:${v}`}`;
        assert.equal(parseFailOpen(arn), arn);
      }),
    );
  });
});

describe('serve: gateway options from flags and environment', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parapet-serve-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to nothing (the server’s own defaults)', () => {
    assert.deepEqual(gatewayOptions(flags(), {}), {});
  });

  it('collects fail-open (repeatable and comma-separated), content logging, quotas and the deadline', () => {
    const o = gatewayOptions(
      flags({ failOpen: [ARN, `${ARN}:2,${ARN}:DRAFT`], logContent: true, quotaRps: '0', quotaTextUnits: '500', guardrailDeadlineMs: '60000' }),
      {},
    );
    assert.deepEqual(o, {
      gateway: { failOpen: new Set([ARN, `${ARN}:2`, `${ARN}:DRAFT`]), logContent: true, guardrailDeadlineMs: 60000 },
      quotas: { requestsPerSecond: 0, textUnitsPerSecond: 500 },
    });
    assert.deepEqual(gatewayOptions(flags({ quotas: false }), {}), { quotas: { disabled: true } });
  });

  it('falls back to the environment; flags win', () => {
    const env = { PARAPET_FAIL_OPEN: ` ${ARN}:1 , ${ARN}:2 `, PARAPET_LOG_CONTENT: '1' };
    assert.deepEqual(gatewayOptions(flags(), env), { gateway: { failOpen: new Set([`${ARN}:1`, `${ARN}:2`]), logContent: true } });
    assert.deepEqual(gatewayOptions(flags({ failOpen: [ARN] }), env).gateway?.failOpen, new Set([ARN]));
    assert.deepEqual(gatewayOptions(flags(), { PARAPET_LOG_CONTENT: '0' }), {});
    assert.throws(() => gatewayOptions(flags(), { PARAPET_LOG_CONTENT: 'yes' }), /PARAPET_LOG_CONTENT must be 1 or 0, got 'yes'/);
    assert.throws(() => gatewayOptions(flags(), { PARAPET_FAIL_OPEN: 'my-guardrail' }), /--fail-open 'my-guardrail' is not a guardrail ARN/);
  });

  it('rejects bad numbers with the flag’s name', () => {
    for (const v of ['-1', '1.5', 'ten', '', '1e3', '9999999999'])
      assert.throws(() => gatewayOptions(flags({ quotaRps: v }), {}), /--quota-rps must be a non-negative whole number/, v);
    assert.throws(() => gatewayOptions(flags({ quotaTextUnits: 'x' }), {}), /--quota-text-units must be a non-negative whole number/);
    for (const v of ['0', '60001', '-5', '2.5', 'soon'])
      assert.throws(() => gatewayOptions(flags({ guardrailDeadlineMs: v }), {}), /--guardrail-deadline-ms must be a whole number of milliseconds from 1 to 60000/, v);
    assert.equal(gatewayOptions(flags({ guardrailDeadlineMs: '1' }), {}).gateway?.guardrailDeadlineMs, 1);
    assert.throws(() => gatewayOptions(flags({ quotas: false, quotaRps: '5' }), {}), /--no-quotas turns every quota off/);
  });

  it('loads the models file from --models or PARAPET_MODELS; a bad file is a ModelsFileError naming it', () => {
    const good = join(dir, 'models.json');
    writeFileSync(good, JSON.stringify({ providers: { oa: { type: 'openai', apiKeyEnv: 'OA_KEY' } }, models: { 'm.x': { provider: 'oa', model: 'gpt' } } }));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "providers": {}, "models": { "m.x": { "provider": "nope" } } }');
    assert.deepEqual(Object.keys(gatewayOptions(flags({ models: good }), {}).models?.models ?? {}), ['m.x']);
    assert.deepEqual(Object.keys(gatewayOptions(flags(), { PARAPET_MODELS: good }).models?.models ?? {}), ['m.x']);
    assert.throws(
      () => gatewayOptions(flags({ models: bad }), { PARAPET_MODELS: good }),
      (e: unknown) => e instanceof ModelsFileError && e.message.startsWith(`${bad}: models["m.x"].provider names unknown provider "nope"`),
    );
    assert.throws(() => gatewayOptions(flags({ models: join(dir, 'missing.json') }), {}), /missing\.json: the models file does not exist/);
  });
});

describe('serve: banner', () => {
  it('names the OpenAI-compatible endpoint, /metrics, the models and non-default settings', () => {
    const lines = gatewayBanner('http://127.0.0.1:8787', {});
    assert.deepEqual(lines, [
      '  OpenAI:       http://127.0.0.1:8787/v1/chat/completions  (API key = <AccessKeyId>:<SecretAccessKey>)',
      '  Metrics:      http://127.0.0.1:8787/metrics  (Prometheus)',
      '  Models:       parapet.demo-v1 (demo)',
    ]);
    const more = gatewayBanner('http://h:1', {
      models: { providers: { oa: { type: 'openai' } }, models: { 'a.one': { provider: 'oa', model: 'gpt-x' } } },
      quotas: { requestsPerSecond: 0 },
      gateway: { failOpen: new Set([ARN]), logContent: true, guardrailDeadlineMs: 500 },
    }).join('\n');
    assert.match(more, /Models: {7}a\.one → oa:gpt-x\n {16}parapet\.demo-v1 \(demo\)/);
    assert.match(more, /Quotas: {7}requests\/s no limit, text units\/s Bedrock's default \(per account and Region\)/);
    assert.match(more, new RegExp(`Fail-open: {4}${ARN}`));
    assert.match(more, /--log-content/);
    assert.match(more, /500 ms per guardrail evaluation/);
    assert.match(gatewayBanner('http://h:1', { quotas: { disabled: true } }).join('\n'), /Quotas: {7}off$/m);
    // Where the counters live (the running server says): per process, Redis (no password) or PostgreSQL.
    assert.match(gatewayBanner('http://h:1', {}, 'per process').join('\n'), /^ {2}Quotas: {7}requests\/s Bedrock's default, text units\/s Bedrock's default \(per account and Region\), counters per process$/m);
    assert.match(gatewayBanner('http://h:1', { quotas: { requestsPerSecond: 5 } }, 'Redis redis://cache:6379').join('\n'), /Quotas: {7}requests\/s 5, .*, counters in Redis redis:\/\/cache:6379$/m);
    assert.match(gatewayBanner('http://h:1', {}, 'PostgreSQL').join('\n'), /counters in PostgreSQL$/m);
    assert.match(gatewayBanner('http://h:1', { quotas: { disabled: true } }, 'off').join('\n'), /Quotas: {7}off$/m);
  });
});

describe('serve: --detectors', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parapet-serve-detectors-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const judge = { name: 'guard', kind: 'llm-judge', endpoint: 'http://127.0.0.1:8000', model: 'llama-guard', guardrails: ['*'], sources: ['INPUT'] };

  it('reads the detectors file from --detectors or PARAPET_DETECTORS; the banner lists the detectors', () => {
    const good = join(dir, 'detectors.json');
    writeFileSync(good, JSON.stringify({ detectors: [judge] }));
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ detectors: [{ ...judge, name: 'other' }] }));
    assert.equal(gatewayOptions(flags({ detectors: good }), { PARAPET_DETECTORS: other }).detectors?.detectors[0]?.name, 'guard');
    const fromEnv = gatewayOptions(flags(), { PARAPET_DETECTORS: other });
    assert.equal(fromEnv.detectors?.detectors[0]?.name, 'other');
    assert.match(gatewayBanner('http://h:1', fromEnv).join('\n'), /Detectors: {4}other \(llm-judge, timeout 2000 ms, INPUT\) → \*/);
    writeFileSync(join(dir, 'empty.json'), '{ "detectors": [] }');
    assert.equal(gatewayOptions(flags({ detectors: join(dir, 'empty.json') }), {}).detectors, undefined);
  });

  it('a bad detectors file stops the start with an error naming the file and the entry', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ detectors: [{ ...judge, timeoutMs: -1 }] }));
    assert.throws(() => gatewayOptions(flags({ detectors: bad }), {}), new RegExp(`${bad}: detector 'guard'\\.timeoutMs must be a whole number from 1 to 60000`));
  });
});

describe('console session length', () => {
  it('minutes from the flag, else the environment, else the default; out of range is refused', () => {
    assert.equal(consoleSessionTtlMs(undefined, undefined), undefined);
    assert.equal(consoleSessionTtlMs('30', '90'), 30 * 60_000);
    assert.equal(consoleSessionTtlMs(undefined, '90'), 90 * 60_000);
    for (const bad of ['0', '10081', '1.5', '-3', 'abc'])
      assert.throws(() => consoleSessionTtlMs(bad, undefined), /a whole number of minutes from 1 to 10080/);
  });
});

describe('serve: failed-authentication limit flags', () => {
  it('leave the defaults, set the limits, or turn them off', () => {
    assert.deepEqual(authFailureLimits({}), {});
    assert.deepEqual(authFailureLimits({ authFailuresPerAddress: '5', authFailuresPerKey: '0' }), { perAddress: 5, perKey: 0 });
    assert.deepEqual(authFailureLimits({ exemptLoopback: false }), { exemptLoopback: false });
    assert.equal(authFailureLimits({ authFailureLimits: false }), false);
  });

  it('refuse bad numbers and contradictions with a clear message', () => {
    assert.throws(() => authFailureLimits({ authFailuresPerAddress: 'many' }), (e: unknown) => e instanceof FlagError && /--auth-failures-per-address must be a non-negative whole number/.test(e.message));
    assert.throws(() => authFailureLimits({ authFailuresPerKey: '-1' }), FlagError);
    assert.throws(() => authFailureLimits({ authFailureLimits: false, authFailuresPerKey: '3' }), /--no-auth-failure-limits turns the limits off/);
  });
});
