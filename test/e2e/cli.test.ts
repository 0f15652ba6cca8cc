/** The `parapet` CLI against a running server, using the data directory's credentials. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/parapet.mjs', import.meta.url).pathname;

describe('parapet CLI', () => {
  let t: TestServer;
  const env = { ...process.env };
  delete env.AWS_ACCESS_KEY_ID;
  delete env.AWS_SECRET_ACCESS_KEY;
  delete env.AWS_PROFILE;
  delete env.PARAPET_ACCESS_KEY_ID;

  async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    try {
      const r = await run(process.execPath, [BIN, '--data-dir', t.dataDir, ...args], { env });
      return { ...r, code: 0 };
    } catch (e) {
      const err = e as { stdout: string; stderr: string; code: number };
      return { stdout: err.stdout, stderr: err.stderr, code: err.code };
    }
  }

  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.stop());

  it('creates, publishes, lists, gets, applies, updates and deletes', async () => {
    const created = await cli(
      '-o', 'json', 'guardrails', 'create', '--name', 'cli-demo',
      '--filter', 'PROMPT_ATTACK:HIGH', '--pii', 'EMAIL:ANONYMIZE', '--word', 'Project Falcon',
    );
    assert.equal(created.code, 0, created.stderr);
    const { guardrailId, version } = JSON.parse(created.stdout) as { guardrailId: string; version: string };
    assert.match(guardrailId, /^[a-z0-9]{12}$/);
    assert.equal(version, 'DRAFT');

    const published = await cli('guardrails', 'publish', guardrailId, '--description', 'first');
    assert.equal(published.code, 0, published.stderr);
    assert.match(published.stdout, /version 1/);

    const list = await cli('guardrails', 'list', guardrailId);
    assert.match(list.stdout, /cli-demo/);
    assert.match(list.stdout, /DRAFT/);

    const masked = await cli('-o', 'json', 'apply', '--guardrail', guardrailId, '--version', '1', 'mail me: a.b@example.org');
    assert.equal(masked.code, 0, masked.stderr);
    const r = JSON.parse(masked.stdout) as { action: string; outputs: { text: string }[] };
    assert.equal(r.action, 'GUARDRAIL_INTERVENED');
    assert.equal(r.outputs[0]?.text, 'mail me: {EMAIL}');

    const human = await cli('apply', '--guardrail', guardrailId, 'Tell me about Project Falcon');
    assert.match(human.stdout, /action: GUARDRAIL_INTERVENED/);
    assert.match(human.stdout, /Project Falcon/);

    // Policy flags on update replace that policy and keep the others.
    const updated = await cli('guardrails', 'update', guardrailId, '--word', 'Orion');
    assert.equal(updated.code, 0, updated.stderr);
    const draft = JSON.parse((await cli('-o', 'json', 'guardrails', 'get', guardrailId)).stdout) as {
      wordPolicy: { words: { text: string }[] };
      sensitiveInformationPolicy: { piiEntities: { type: string }[] };
    };
    assert.deepEqual(draft.wordPolicy.words.map((w) => w.text), ['Orion']);
    assert.equal(draft.sensitiveInformationPolicy.piiEntities[0]?.type, 'EMAIL');
    const v1 = JSON.parse((await cli('-o', 'json', 'guardrails', 'get', guardrailId, '--version', '1')).stdout) as {
      wordPolicy: { words: { text: string }[] };
    };
    assert.deepEqual(v1.wordPolicy.words.map((w) => w.text), ['Project Falcon']);

    const del = await cli('guardrails', 'delete', guardrailId);
    assert.equal(del.code, 0, del.stderr);
    const gone = await cli('guardrails', 'get', guardrailId);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^ResourceNotFoundException: /);
  });

  it('reports validation errors with the AWS code and exit status 1', async () => {
    const r = await cli('guardrails', 'create', '--name', 'bad name');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ValidationException: 1 validation error detected/);
  });
});
