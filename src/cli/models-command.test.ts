import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeModels, missingKeyVariables, type ModelsFile, routesSummary, routesTable, routeTarget } from './models-command.ts';

const FILE: ModelsFile = {
  providers: {
    oa: { type: 'openai', baseUrl: 'https://api.example.com/v1', apiKeyEnv: 'SECRET_KEY_VAR', headers: { 'x-tenant': 'hush-hush' } },
    an: { type: 'anthropic', apiKeyEnv: 'AN_KEY' },
    br: { type: 'bedrock', region: 'eu-west-1' },
    local: { type: 'bedrock', endpoint: 'http://127.0.0.1:4566/' },
    anywhere: { type: 'bedrock' },
  },
  models: {
    'anthropic.claude-3-haiku-20240307-v1:0': { provider: 'oa', model: 'gpt-4o-mini' },
    'anthropic.claude-3-5-haiku-20241022-v1:0': { provider: 'an', model: 'claude-3-5-haiku-latest' },
    'amazon.nova-pro-v1:0': { provider: 'br' },
    'amazon.nova-lite-v1:0': { provider: 'local' },
    'amazon.nova-micro-v1:0': { provider: 'anywhere' },
  },
};

describe('models list', () => {
  it('the default serves only the demo model', () => {
    assert.deepEqual(describeModels(undefined), [
      { modelId: 'parapet.demo-v1', provider: 'demo', type: 'demo', upstreamModel: 'parapet.demo-v1' },
    ]);
  });

  it('tabulates every route (the demo one added) with where it goes, never key variables or header values', () => {
    const routes = describeModels(FILE);
    assert.deepEqual(routes.map((r) => r.modelId), [
      'amazon.nova-lite-v1:0',
      'amazon.nova-micro-v1:0',
      'amazon.nova-pro-v1:0',
      'anthropic.claude-3-5-haiku-20241022-v1:0',
      'anthropic.claude-3-haiku-20240307-v1:0',
      'parapet.demo-v1',
    ]);
    assert.deepEqual(routes.map(routeTarget), [
      'http://127.0.0.1:4566',
      "the caller's Region",
      'Region eu-west-1',
      'https://api.anthropic.com',
      'https://api.example.com/v1',
      '(built in, local)',
    ]);
    const t = routesTable(routes);
    assert.match(t, /gpt-4o-mini/);
    assert.match(t, /demo \(built in\)/);
    assert.doesNotMatch(t, /SECRET_KEY_VAR|hush-hush/);
  });

  it('summarises the routes for the serve banner, at most `max` lines', () => {
    assert.deepEqual(routesSummary(describeModels(FILE), 2), [
      'amazon.nova-lite-v1:0 → local:amazon.nova-lite-v1:0',
      'amazon.nova-micro-v1:0 → anywhere:amazon.nova-micro-v1:0',
      '… 4 more (parapet models list)',
    ]);
  });

  it('names key variables missing from the environment', () => {
    assert.deepEqual(missingKeyVariables(FILE, { AN_KEY: 'x' }), ['SECRET_KEY_VAR (providers.oa.apiKeyEnv) is not set in this environment']);
    assert.deepEqual(missingKeyVariables(FILE, { AN_KEY: 'x', SECRET_KEY_VAR: 'y' }), []);
  });
});
