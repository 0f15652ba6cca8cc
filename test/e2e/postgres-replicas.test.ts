/**
 * Several gateway processes ("replicas") on one PostgreSQL database: one bootstrap, shared state, the same
 * answers from every replica. Runs when PARAPET_TEST_POSTGRES_URL is set (`.ci/run` sets it when a server answers).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateGuardrailCommand, CreateGuardrailVersionCommand, GetGuardrailCommand } from '@aws-sdk/client-bedrock';
import { ApplyGuardrailCommand } from '@aws-sdk/client-bedrock-runtime';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { dropSchemas } from '../helpers/postgres.ts';

const URL_ = process.env.PARAPET_TEST_POSTGRES_URL;
if (!URL_) console.log('# SKIPPED PostgreSQL replica tests: set PARAPET_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');

describe('replicas on PostgreSQL', { skip: !URL_ }, () => {
  const schema = `e2e_replicas_${randomBytes(4).toString('hex')}`;
  const masterKey = randomBytes(32).toString('hex');
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    // Two replicas start together on a fresh schema: exactly one bootstraps the management account.
    [a, b] = await Promise.all([
      startTestServer({ database: URL_, databaseSchema: schema, masterKey, demo: true }),
      startTestServer({ database: URL_, databaseSchema: schema, masterKey, demo: true }),
    ]);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await dropSchemas(URL_ as string, schema);
  });

  it('one management account and one demo organization, whichever replica bootstrapped', async () => {
    assert.equal(a.accountId, b.accountId);
    assert.equal([a.server.bootstrapped, b.server.bootstrapped].filter(Boolean).length, 1);
    const names = (t: TestServer) => t.server.credentials.accounts.map((x) => x.name).sort();
    assert.deepEqual(names(a), ['management', 'team-a', 'team-b']);
    assert.deepEqual(names(b), names(a));
    assert.match(a.server.database, /^postgres(ql)?:\/\/postgres@127\.0\.0\.1:5432\/test$/);
  });

  it('a guardrail created and published on one replica is read and applied on the other', async () => {
    const g = await a.bedrock().send(
      new CreateGuardrailCommand({ name: 'shared', blockedInputMessaging: 'no', blockedOutputsMessaging: 'no', wordPolicyConfig: { wordsConfig: [{ text: 'zanzibar' }] } }),
    );
    const v = await b.bedrock().send(new CreateGuardrailVersionCommand({ guardrailIdentifier: g.guardrailId }));
    assert.equal(v.version, '1');
    const got = await a.bedrock().send(new GetGuardrailCommand({ guardrailIdentifier: g.guardrailId, guardrailVersion: '1' }));
    assert.equal(got.name, 'shared');
    const out = await b.runtime().send(
      new ApplyGuardrailCommand({ guardrailIdentifier: g.guardrailId, guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'to zanzibar' } }] }),
    );
    assert.equal(out.action, 'GUARDRAIL_INTERVENED');
  });

  it('concurrent publishes through both replicas get distinct version numbers', async () => {
    const g = await b.bedrock().send(
      new CreateGuardrailCommand({ name: 'racing', blockedInputMessaging: 'no', blockedOutputsMessaging: 'no', wordPolicyConfig: { wordsConfig: [{ text: 'x' }] } }),
    );
    const versions = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).bedrock().send(new CreateGuardrailVersionCommand({ guardrailIdentifier: g.guardrailId }))),
    );
    assert.deepEqual(versions.map((v) => Number(v.version)).sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});
