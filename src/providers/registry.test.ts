import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEMO_MODEL_ID, defaultModelsFile, parseModelsFile } from './models-file.ts';
import { GEO_PREFIXES, ProviderRegistry, stripGeoPrefix, unwrapModelArn, withDemoModel } from './registry.ts';
import type { ModelsFile } from './types.ts';

const HAIKU = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const NOVA = 'amazon.nova-lite-v1:0';

const file: ModelsFile = parseModelsFile(
  {
    providers: {
      oa: { type: 'openai', baseUrl: 'http://127.0.0.1:11434/v1?token=secret', apiKeyEnv: 'OA_KEY', headers: { 'x-org': 'o' } },
      claude: { type: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY' },
      aws: { type: 'bedrock', region: 'us-west-2' },
    },
    models: {
      [HAIKU]: { provider: 'claude', model: 'claude-3-5-haiku-latest' },
      [NOVA]: { provider: 'aws' },
      'meta.llama3-8b-instruct-v1:0': { provider: 'oa', model: 'llama3' },
      'mistral.small': { provider: 'oa' },
    },
  },
  'test',
);

const registry = new ProviderRegistry(file, { defaultRegion: 'us-east-1' });

describe('ProviderRegistry.route', () => {
  it('routes exact ids to the mapped provider and upstream model', () => {
    const r = registry.route(HAIKU);
    assert.equal(r?.provider.name, 'claude');
    assert.equal(r?.provider.type, 'anthropic');
    assert.equal(r?.upstreamModel, 'claude-3-5-haiku-latest');
    assert.equal(r?.modelId, HAIKU);
    const m = registry.route('mistral.small');
    assert.deepEqual([m?.provider.type, m?.upstreamModel], ['openai', 'mistral.small']);
    const n = registry.route(NOVA);
    assert.deepEqual([n?.provider.type, n?.upstreamModel, n?.modelId], ['bedrock', NOVA, NOVA]);
  });

  it('creates each provider once', () => {
    assert.equal(registry.route(NOVA)?.provider, registry.route(`us.${NOVA}`)?.provider);
    assert.equal(registry.route(NOVA)?.provider, registry.provider('aws'));
  });

  it('accepts inference profile ids with a geo prefix', () => {
    for (const geo of GEO_PREFIXES) {
      const r = registry.route(`${geo}.${HAIKU}`);
      assert.equal(r?.provider.name, 'claude', geo);
      assert.equal(r?.modelId, HAIKU);
      assert.equal(r?.upstreamModel, 'claude-3-5-haiku-latest');
    }
    // A Bedrock provider without `model` gets the profile id, so cross-Region inference reaches Bedrock as asked.
    assert.deepEqual(
      [registry.route(`eu.${NOVA}`)?.upstreamModel, registry.route(`eu.${NOVA}`)?.modelId],
      [`eu.${NOVA}`, NOVA],
    );
    const oa = registry.route('apac.mistral.small');
    assert.deepEqual([oa?.provider.name, oa?.upstreamModel], ['oa', 'mistral.small']);
  });

  it('accepts foundation-model and inference-profile ARNs', () => {
    const fm = registry.route(`arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`);
    assert.deepEqual([fm?.provider.name, fm?.modelId, fm?.upstreamModel], ['claude', HAIKU, 'claude-3-5-haiku-latest']);
    const fmb = registry.route(`arn:aws:bedrock:eu-west-1::foundation-model/${NOVA}`);
    assert.deepEqual([fmb?.provider.name, fmb?.upstreamModel], ['aws', NOVA]);
    const ip = registry.route(`arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${NOVA}`);
    assert.deepEqual([ip?.provider.name, ip?.modelId, ip?.upstreamModel], ['aws', NOVA, `us.${NOVA}`]);
    assert.equal(registry.route(`arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/${HAIKU}`)?.modelId, HAIKU);
  });

  it('never falls back: unmapped ids, unknown prefixes and malformed ARNs are not served', () => {
    for (const id of [
      '',
      'anthropic.claude-unknown',
      `xx.${HAIKU}`,
      `anthropic.${HAIKU}`,
      `us.us.${HAIKU}`,
      'us.',
      `${HAIKU}-extra`,
      HAIKU.toUpperCase(),
      `arn:aws:bedrock:us-east-1:123456789012:foundation-model/${HAIKU}`,
      `arn:aws:bedrock:us-east-1::inference-profile/us.${HAIKU}`,
      `arn:aws:bedrock:us-east-1::custom-model/${HAIKU}`,
      `arn:aws:s3:::foundation-model/${HAIKU}`,
      'constructor',
      'toString',
      '__proto__',
      'hasOwnProperty',
    ])
      assert.equal(registry.route(id), undefined, JSON.stringify(id));
  });

  it('serves only mapped ids and the forms reducing to them (property)', () => {
    const mapped = new Set(registry.modelIds());
    fc.assert(
      fc.property(fc.string(), (id) => {
        const r = registry.route(id);
        if (r) assert.ok(mapped.has(r.modelId));
        else assert.ok(!mapped.has(id));
      }),
    );
  });
});

describe('the demo model', () => {
  it('is always served, by a built-in demo provider when the file has none', async () => {
    const r = registry.route(DEMO_MODEL_ID);
    assert.equal(r?.provider.type, 'demo');
    assert.equal(r?.upstreamModel, DEMO_MODEL_ID);
    const answer = await r!.provider.converse(r!.upstreamModel, { system: [], messages: [{ role: 'user', content: [{ text: 'hi' }] }] }, { signal: new AbortController().signal });
    assert.deepEqual(answer.content, [{ text: 'Demo model (parapet.demo-v1) here. You said: hi' }]);
    assert.ok(registry.modelIds().includes(DEMO_MODEL_ID));
    assert.equal(registry.route(`us.${DEMO_MODEL_ID}`)?.modelId, DEMO_MODEL_ID);
  });

  it('uses the file’s own mapping of the demo id, or its demo provider', () => {
    const own = new ProviderRegistry(
      parseModelsFile({ providers: { x: { type: 'anthropic' } }, models: { [DEMO_MODEL_ID]: { provider: 'x', model: 'claude' } } }, 't'),
      { defaultRegion: 'us-east-1' },
    );
    assert.deepEqual([own.route(DEMO_MODEL_ID)?.provider.type, own.route(DEMO_MODEL_ID)?.upstreamModel], ['anthropic', 'claude']);
    const named = withDemoModel({ providers: { local: { type: 'demo' } }, models: {} });
    assert.deepEqual(named.models[DEMO_MODEL_ID], { provider: 'local' });
    assert.deepEqual(Object.keys(named.providers), ['local']);
  });

  it('does not take over a provider named "demo" of another type', () => {
    const f = withDemoModel({ providers: { demo: { type: 'openai' } }, models: {} });
    const name = f.models[DEMO_MODEL_ID]?.provider;
    assert.ok(name && name !== 'demo');
    assert.deepEqual(f.providers[name], { type: 'demo' });
    assert.equal(new ProviderRegistry(f, { defaultRegion: 'us-east-1' }).route(DEMO_MODEL_ID)?.provider.type, 'demo');
  });

  it('the default models file serves only the demo model', () => {
    const r = new ProviderRegistry(defaultModelsFile(), { defaultRegion: 'us-east-1' });
    assert.deepEqual(r.modelIds(), [DEMO_MODEL_ID]);
    assert.equal(r.route(HAIKU), undefined);
  });
});

describe('listing', () => {
  it('modelIds lists every mapped id, sorted', () => {
    assert.deepEqual(registry.modelIds(), [NOVA, HAIKU, 'meta.llama3-8b-instruct-v1:0', 'mistral.small', DEMO_MODEL_ID].sort());
  });

  it('describes routes without secrets', () => {
    const rows = ProviderRegistry.describeRoutes(file);
    assert.deepEqual(rows, registry.describe());
    assert.deepEqual(rows.find((r) => r.modelId === HAIKU), {
      modelId: HAIKU,
      provider: 'claude',
      type: 'anthropic',
      upstreamModel: 'claude-3-5-haiku-latest',
      baseUrl: 'https://api.anthropic.com',
    });
    assert.deepEqual(rows.find((r) => r.modelId === 'mistral.small'), {
      modelId: 'mistral.small',
      provider: 'oa',
      type: 'openai',
      upstreamModel: 'mistral.small',
      baseUrl: 'http://127.0.0.1:11434/v1',
    });
    assert.deepEqual(rows.find((r) => r.modelId === NOVA), { modelId: NOVA, provider: 'aws', type: 'bedrock', upstreamModel: NOVA, region: 'us-west-2' });
    assert.deepEqual(rows.find((r) => r.modelId === DEMO_MODEL_ID), { modelId: DEMO_MODEL_ID, provider: 'demo', type: 'demo', upstreamModel: DEMO_MODEL_ID, builtIn: true });
    const text = JSON.stringify(rows);
    for (const secret of ['secret', 'OA_KEY', 'ANTHROPIC_API_KEY', 'x-org']) assert.ok(!text.includes(secret), secret);
  });
});

describe('id forms', () => {
  it('unwrapModelArn and stripGeoPrefix', () => {
    assert.equal(unwrapModelArn(`arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`), HAIKU);
    assert.equal(unwrapModelArn(`arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.${HAIKU}`), `eu.${HAIKU}`);
    assert.equal(unwrapModelArn(HAIKU), undefined);
    assert.equal(stripGeoPrefix(`us-gov.${HAIKU}`), HAIKU);
    assert.equal(stripGeoPrefix(`global.${HAIKU}`), HAIKU);
    assert.equal(stripGeoPrefix(HAIKU), undefined);
    assert.equal(stripGeoPrefix('us.'), undefined);
  });
});
