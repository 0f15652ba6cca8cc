import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { DEMO_MODEL_ID, defaultModelsFile, jsonSyntaxMessage, loadModelsFile, ModelsFileError, parseModelsFile } from './models-file.ts';

const good = {
  providers: {
    openai: { type: 'openai', baseUrl: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY', timeoutMs: 30000, headers: { 'OpenAI-Organization': 'org-1' } },
    claude: { type: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY' },
    aws: { type: 'bedrock', region: 'us-west-2', endpoint: 'http://127.0.0.1:4566' },
    'local.demo': { type: 'demo' },
  },
  models: {
    'anthropic.claude-3-5-haiku-20241022-v1:0': { provider: 'claude', model: 'claude-3-5-haiku-latest' },
    'amazon.nova-lite-v1:0': { provider: 'aws' },
    'openai.gpt-oss-20b-1:0': { provider: 'openai', model: 'gpt-4o-mini' },
  },
};

/** The ModelsFileError message `parseModelsFile` throws for `json`. */
function errorOf(json: unknown): string {
  try {
    parseModelsFile(json, 'models.json');
  } catch (err) {
    assert.ok(err instanceof ModelsFileError, `expected ModelsFileError, got ${String(err)}`);
    assert.equal(err.name, 'ModelsFileError');
    return err.message;
  }
  assert.fail('the file was accepted');
}

const withProvider = (p: unknown) => ({ providers: { openai: p }, models: {} });

describe('parseModelsFile', () => {
  it('accepts a valid file and returns a normalized copy', () => {
    const parsed = parseModelsFile(good, 'models.json');
    assert.deepEqual(parsed, good);
    assert.notEqual(parsed.providers, good.providers);
    assert.deepEqual(parseModelsFile({ $schema: 'x', providers: {}, models: {} }, 's'), { providers: {}, models: {} });
  });

  it('defaultModelsFile is valid and holds only the demo model', () => {
    const d = defaultModelsFile();
    assert.deepEqual(parseModelsFile(d, 'default'), d);
    assert.deepEqual(Object.keys(d.models), [DEMO_MODEL_ID]);
    assert.equal(DEMO_MODEL_ID, 'parapet.demo-v1');
    assert.deepEqual(Object.values(d.providers), [{ type: 'demo' }]);
  });

  it('names the file and the path of a wrong provider type', () => {
    assert.equal(
      errorOf(withProvider({ type: 'gpt' })),
      'models.json: providers.openai.type must be one of bedrock, openai, anthropic, demo (got the string "gpt")',
    );
    assert.equal(errorOf(withProvider({})), 'models.json: providers.openai.type must be one of bedrock, openai, anthropic, demo');
  });

  it('rejects unknown providers referenced by models', () => {
    assert.equal(
      errorOf({ providers: { a: { type: 'demo' } }, models: { x: { provider: 'b' } } }),
      'models.json: models["x"].provider names unknown provider "b" (the file defines a)',
    );
    assert.match(errorOf({ providers: {}, models: { x: { provider: 'b' } } }), /the file defines no providers/);
    assert.match(errorOf({ providers: {}, models: { x: {} } }), /models\["x"\]\.provider must name a provider/);
  });

  it('validates URLs, key variable names, Regions and timeouts', () => {
    assert.match(errorOf(withProvider({ type: 'openai', baseUrl: 'ftp://x' })), /^models\.json: providers\.openai\.baseUrl must be an http\(s\) URL/);
    assert.match(errorOf(withProvider({ type: 'openai', baseUrl: 'not a url' })), /providers\.openai\.baseUrl must be an http\(s\) URL/);
    assert.match(errorOf(withProvider({ type: 'openai', baseUrl: 'https://user:sk-1@x.example' })), /baseUrl must not contain credentials/);
    assert.match(errorOf(withProvider({ type: 'openai', apiKeyEnv: 'sk-abc123' })), /providers\.openai\.apiKeyEnv must look like an environment variable name/);
    assert.match(errorOf(withProvider({ type: 'openai', apiKeyEnv: 'MY KEY' })), /apiKeyEnv must look like an environment variable name/);
    assert.match(errorOf(withProvider({ type: 'bedrock', region: 'mars' })), /providers\.openai\.region must be a Region name/);
    assert.match(errorOf(withProvider({ type: 'bedrock', endpoint: 'localhost:1' })), /providers\.openai\.endpoint must be an http\(s\) URL/);
    for (const t of [0, -1, 600_001, 1.5, '1000', null])
      assert.match(errorOf(withProvider({ type: 'openai', timeoutMs: t })), /providers\.openai\.timeoutMs must be a whole number of milliseconds from 1 to 600000/);
    for (const t of [1, 600_000]) assert.equal(parseModelsFile(withProvider({ type: 'openai', timeoutMs: t }), 's').providers.openai?.timeoutMs, t);
  });

  it('rejects settings that do not apply to the type, unknown keys and secrets in headers', () => {
    assert.match(errorOf(withProvider({ type: 'bedrock', baseUrl: 'https://x' })), /providers\.openai\.baseUrl does not apply to bedrock providers/);
    assert.match(errorOf(withProvider({ type: 'openai', region: 'us-east-1' })), /providers\.openai\.region does not apply to openai providers/);
    assert.match(errorOf(withProvider({ type: 'demo', timeoutMs: 5 })), /does not apply to demo providers \(they take no settings\)/);
    assert.match(errorOf(withProvider({ type: 'openai', apiKey: 'sk-1' })), /providers\.openai\.apiKey is not a provider setting/);
    assert.match(errorOf(withProvider({ type: 'openai', headers: { Authorization: 'Bearer sk-1' } })), /headers\.Authorization would put a secret in the models file/);
    assert.match(errorOf(withProvider({ type: 'openai', headers: { 'x-api-key': 'k' } })), /would put a secret/);
    assert.match(errorOf(withProvider({ type: 'openai', headers: { 'bad header': 'v' } })), /headers\["bad header"\] is not a valid HTTP header name/);
    assert.match(errorOf(withProvider({ type: 'openai', headers: { a: 'x\r\nInjected: 1' } })), /must not contain control characters/);
    assert.match(errorOf(withProvider({ type: 'openai', headers: { a: 1 } })), /headers\.a must be a string/);
    assert.match(errorOf({ providers: {}, models: {}, extra: 1 }), /^models\.json: extra is not a models file key/);
    assert.match(errorOf({ providers: {}, models: { m: { provider: 'x', upstream: 'y' } } }), /models\["m"\]\.upstream is not a model setting/);
  });

  it('validates provider names and model ids', () => {
    assert.match(errorOf({ providers: { 'has space': { type: 'demo' } }, models: {} }), /providers\["has space"\] is not a valid provider name/);
    assert.match(errorOf({ providers: { __proto__x: { type: 'demo' } }, models: {} }), /is not a valid provider name/);
    const p = { a: { type: 'demo' } };
    assert.match(errorOf({ providers: p, models: { '': { provider: 'a' } } }), /the model id models\[""\] must not be empty/);
    assert.match(errorOf({ providers: p, models: { [' x']: { provider: 'a' } } }), /must not start or end with whitespace/);
    assert.match(errorOf({ providers: p, models: { ['x'.repeat(2049)]: { provider: 'a' } } }), /must be at most 2048 characters \(got 2049\)/);
    assert.ok(parseModelsFile({ providers: p, models: { ['x'.repeat(2048)]: { provider: 'a' } } }, 's'));
    assert.match(errorOf({ providers: p, models: { m: { provider: 'a', model: '' } } }), /models\["m"\]\.model must not be empty/);
    assert.match(errorOf({ providers: p, models: { m: { provider: 'a', model: 5 } } }), /models\["m"\]\.model must be a string/);
  });

  it('rejects wrong shapes at every level', () => {
    for (const bad of [null, [], 'x', 3]) assert.match(errorOf(bad), /^models\.json: the models file must be an object/);
    assert.match(errorOf({ models: {} }), /^models\.json: providers is missing/);
    assert.match(errorOf({ providers: {} }), /^models\.json: models is missing/);
    assert.match(errorOf({ providers: [], models: {} }), /providers must be an object \(got an array\)/);
    assert.match(errorOf({ providers: { a: 'demo' }, models: {} }), /providers\.a must be an object \(got the string "demo"\)/);
    assert.match(errorOf({ providers: {}, models: { m: null } }), /models\["m"\] must be an object \(got null\)/);
  });

  it('never throws anything but ModelsFileError, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          parseModelsFile(v, 's');
        } catch (err) {
          assert.ok(err instanceof ModelsFileError);
          assert.ok(err.message.startsWith('s: '));
        }
      }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.record({ type: fc.constantFrom('openai', 'bedrock', 'demo', 'anthropic', 'x') }, { requiredKeys: [] })), (providers) => {
        try {
          parseModelsFile({ providers, models: {} }, 's');
        } catch (err) {
          assert.ok(err instanceof ModelsFileError);
        }
      }),
    );
  });
});

describe('loadModelsFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parapet-models-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('loads and validates a file (a BOM is fine)', () => {
    assert.deepEqual(loadModelsFile(write('ok.json', `\uFEFF${JSON.stringify(good, null, 2)}`)), good);
  });

  it('names the file, line and column of a syntax error', () => {
    const p = write('bad.json', '{\n  "providers": {},\n  "models": {,}\n}');
    assert.throws(
      () => loadModelsFile(p),
      (e: unknown) => e instanceof ModelsFileError && e.message.startsWith(`${p}: is not valid JSON at line 3, column 14:`),
    );
    const truncated = write('truncated.json', '{\n  "providers": {');
    assert.throws(() => loadModelsFile(truncated), (e: unknown) => e instanceof ModelsFileError && /truncated\.json: is not valid JSON at line 2, column 17: /.test(e.message));
  });

  it('reports validation errors with the path', () => {
    const p = write('invalid.json', JSON.stringify({ providers: { openai: { type: 'oops' } }, models: {} }));
    assert.throws(() => loadModelsFile(p), { name: 'ModelsFileError', message: `${p}: providers.openai.type must be one of bedrock, openai, anthropic, demo (got the string "oops")` });
  });

  it('reports a missing file', () => {
    assert.throws(() => loadModelsFile(join(dir, 'nope.json')), (e: unknown) => e instanceof ModelsFileError && /nope\.json: the models file does not exist/.test(e.message));
  });

  it('computes positions from JSON.parse messages', () => {
    assert.equal(jsonSyntaxMessage('ab\ncd', 'Unexpected token x in JSON at position 4'), 'is not valid JSON at line 2, column 2: Unexpected token x');
    assert.equal(jsonSyntaxMessage('ab', 'Unexpected end of JSON input'), 'is not valid JSON at line 1, column 3: Unexpected end of JSON input');
  });
});
