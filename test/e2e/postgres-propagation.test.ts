/**
 * How fast a change made through one replica is enforced by another on the same PostgreSQL store: the change
 * feed (LISTEN/NOTIFY) invalidates every replica's caches as the change commits. Each scenario warms replica
 * B's caches, makes the change through replica A, then polls B every 20 ms and measures the time from A's
 * answer (the change committed) to B's first answer that shows it; each must be under 1 s.
 * Runs when PARAPET_TEST_POSTGRES_URL is set.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateGuardrailCommand,
  CreateGuardrailVersionCommand,
  DeleteGuardrailCommand,
  ListGuardrailsCommand,
  PutEnforcedGuardrailConfigurationCommand,
  UpdateGuardrailCommand,
} from '@aws-sdk/client-bedrock';
import { ApplyGuardrailCommand, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { CreateAccessKeyCommand, DeleteAccessKeyCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { dropSchemas } from '../helpers/postgres.ts';

const URL_ = process.env.PARAPET_TEST_POSTGRES_URL;
if (!URL_) console.log('# SKIPPED PostgreSQL propagation tests: set PARAPET_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');

const MODEL = 'parapet.demo-v1';
const POLL_MS = 20;
const LIMIT_MS = 1_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 20 ms until it returns true; the milliseconds from `since` to that answer. */
async function propagation(label: string, since: number, probe: () => Promise<boolean>): Promise<number> {
  for (;;) {
    if (await probe()) {
      const ms = performance.now() - since;
      console.log(`# propagation ${label}: ${ms.toFixed(1)} ms`);
      return ms;
    }
    if (performance.now() - since > 5 * LIMIT_MS) throw new Error(`${label}: not seen by the other replica after ${5 * LIMIT_MS} ms`);
    await sleep(POLL_MS);
  }
}

/** The error name of a failed call, or undefined when it succeeded. */
async function failure(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
    return undefined;
  } catch (e) {
    return (e as Error).name;
  }
}

describe('changes propagate between replicas on PostgreSQL', { skip: !URL_ }, () => {
  const schema = `e2e_propagation_${randomBytes(4).toString('hex')}`;
  const masterKey = randomBytes(32).toString('hex');
  let a: TestServer;
  let b: TestServer;
  const times: Record<string, number> = {};
  before(async () => {
    [a, b] = await Promise.all([
      startTestServer({ database: URL_, databaseSchema: schema, masterKey }),
      startTestServer({ database: URL_, databaseSchema: schema, masterKey }),
    ]);
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await dropSchemas(URL_ as string, schema);
    if (Object.keys(times).length) console.log(`# propagation summary (ms): ${JSON.stringify(times)}`);
  });

  const guardrail = async (t: TestServer, name: string, word: string) =>
    t.bedrock().send(
      new CreateGuardrailCommand({ name, blockedInputMessaging: 'blocked', blockedOutputsMessaging: 'blocked', wordPolicyConfig: { wordsConfig: [{ text: word }] } }),
    );
  const converse = (t: TestServer, text: string, guardrailConfig?: { guardrailIdentifier: string; guardrailVersion: string }) =>
    t.runtime().send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text }] }], ...(guardrailConfig ? { guardrailConfig } : {}) }));

  it('an account-level enforced guardrail configuration', async () => {
    const g = await guardrail(a, 'enforced', 'zanzibar');
    await a.bedrock().send(new CreateGuardrailVersionCommand({ guardrailIdentifier: g.guardrailId }));
    // B has read (and cached) the account's enforcement: none yet.
    for (let i = 0; i < 3; i++) assert.equal((await converse(b, 'a trip to zanzibar')).stopReason, 'end_turn');
    await a.bedrock().send(
      new PutEnforcedGuardrailConfigurationCommand({ guardrailInferenceConfig: { guardrailIdentifier: g.guardrailArn, guardrailVersion: '1' } }),
    );
    const since = performance.now();
    times.enforcedConfiguration = await propagation('enforced configuration', since, async () => (await converse(b, 'a trip to zanzibar')).stopReason === 'guardrail_intervened');
    assert.ok(times.enforcedConfiguration < LIMIT_MS);
  });

  it('a deleted published version', async () => {
    const g = await guardrail(a, 'short-lived', 'xylophone');
    await a.bedrock().send(new CreateGuardrailVersionCommand({ guardrailIdentifier: g.guardrailId }));
    await a.bedrock().send(new CreateGuardrailVersionCommand({ guardrailIdentifier: g.guardrailId }));
    const named = { guardrailIdentifier: g.guardrailId ?? '', guardrailVersion: '1' };
    // B compiles version 1 and keeps it (published versions are immutable: B no longer reads it).
    for (let i = 0; i < 3; i++) assert.equal((await converse(b, 'play the xylophone', named)).stopReason, 'guardrail_intervened');
    await a.bedrock().send(new DeleteGuardrailCommand({ guardrailIdentifier: g.guardrailId, guardrailVersion: '1' }));
    const since = performance.now();
    times.deletedVersion = await propagation('deleted version', since, async () => (await failure(converse(b, 'play the xylophone', named))) === 'ResourceNotFoundException');
    assert.ok(times.deletedVersion < LIMIT_MS);
    const apply = b.runtime().send(
      new ApplyGuardrailCommand({ ...named, source: 'INPUT', content: [{ text: { text: 'play the xylophone' } }] }),
    );
    assert.equal(await failure(apply), 'ResourceNotFoundException');
    // Version 2 still applies.
    assert.equal((await converse(b, 'play the xylophone', { ...named, guardrailVersion: '2' })).stopReason, 'guardrail_intervened');
  });

  it('a deactivated, reactivated and deleted access key', async () => {
    const iam = a.client(IAMClient);
    const k = (await iam.send(new CreateAccessKeyCommand({}))).AccessKey;
    assert.ok(k?.AccessKeyId && k.SecretAccessKey);
    const creds = { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey };
    const onB = b.bedrock('us-east-1', creds);
    const call = () => failure(onB.send(new ListGuardrailsCommand({})));
    // B has looked the key up (and cached it).
    for (let i = 0; i < 3; i++) assert.equal(await call(), undefined);

    await iam.send(new UpdateAccessKeyCommand({ AccessKeyId: k.AccessKeyId, Status: 'Inactive' }));
    let since = performance.now();
    times.deactivatedKey = await propagation('deactivated key', since, async () => (await call()) === 'UnrecognizedClientException');
    assert.ok(times.deactivatedKey < LIMIT_MS);

    // B now caches the key as unknown; reactivating it is seen as fast.
    assert.equal(await call(), 'UnrecognizedClientException');
    await iam.send(new UpdateAccessKeyCommand({ AccessKeyId: k.AccessKeyId, Status: 'Active' }));
    since = performance.now();
    times.reactivatedKey = await propagation('reactivated key', since, async () => (await call()) === undefined);
    assert.ok(times.reactivatedKey < LIMIT_MS);

    await iam.send(new DeleteAccessKeyCommand({ AccessKeyId: k.AccessKeyId }));
    since = performance.now();
    times.deletedKey = await propagation('deleted key', since, async () => (await call()) === 'UnrecognizedClientException');
    assert.ok(times.deletedKey < LIMIT_MS);
  });

  it('a DRAFT update', async () => {
    const g = await guardrail(a, 'drafty', 'alpha');
    const apply = async () =>
      (
        await b.runtime().send(
          new ApplyGuardrailCommand({ guardrailIdentifier: g.guardrailId, guardrailVersion: 'DRAFT', source: 'INPUT', content: [{ text: { text: 'beta release' } }] }),
        )
      ).action;
    for (let i = 0; i < 3; i++) assert.equal(await apply(), 'NONE');
    await a.bedrock().send(
      new UpdateGuardrailCommand({
        guardrailIdentifier: g.guardrailId,
        name: 'drafty',
        blockedInputMessaging: 'blocked',
        blockedOutputsMessaging: 'blocked',
        wordPolicyConfig: { wordsConfig: [{ text: 'alpha' }, { text: 'beta' }] },
      }),
    );
    const since = performance.now();
    times.draftUpdate = await propagation('DRAFT update', since, async () => (await apply()) === 'GUARDRAIL_INTERVENED');
    assert.ok(times.draftUpdate < LIMIT_MS);
  });
});
