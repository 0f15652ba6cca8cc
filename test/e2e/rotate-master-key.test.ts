/**
 * `parapet rotate-master-key` on SQLite and (when PARAPET_TEST_POSTGRES_URL is set) PostgreSQL: after a rotation
 * a restarted server serves the existing access keys and STS sessions through the AWS SDK, the old key opens no
 * stored secret; a wrong current key is refused with nothing changed; a crash before or after the commit (the
 * internal steps run by hand) leaves a store that a server still starts on, and running the command again
 * finishes the switch. Environment mode (PARAPET_MASTER_KEY) prints the new key once instead of writing it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BedrockClient, ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ORG_ACCESS_ROLE, roleArn } from '../../src/control/accounts.ts';
import { type RunningServer, type ServeOptions, startServer } from '../../src/server/serve.ts';
import { createAesGcmCipher } from '../../src/store/crypto.ts';
import {
  openRotationStore,
  planRotation,
  type RotationTarget,
  resealSecrets,
  stagePendingKey,
} from '../../src/store/master-key-rotation.ts';
import { dropSchemas, freshSchema } from '../helpers/postgres.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const PG_URL = process.env.PARAPET_TEST_POSTGRES_URL || undefined;
if (!PG_URL) console.log('# SKIPPED rotate-master-key on PostgreSQL: set PARAPET_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');

const run = promisify(execFile);
const BIN = new URL('../../bin/parapet.mjs', import.meta.url).pathname;

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const baseEnv: NodeJS.ProcessEnv = { ...process.env };
for (const k of ['PARAPET_MASTER_KEY', 'PARAPET_NEW_MASTER_KEY', 'PARAPET_DATABASE_URL', 'PARAPET_DATABASE_SCHEMA', 'PARAPET_DATA_DIR', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE'])
  delete baseEnv[k];

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: { ...baseEnv, ...env } });
    return { ...r, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

/** Every sealed value of the store, by table and row key, as the database holds it. */
async function sealedValues(server: RunningServer): Promise<Map<string, string>> {
  const state = server.store.state;
  assert.ok(state);
  return state.read(async (r) => {
    const out = new Map<string, string>();
    for (const t of state.tables)
      for (const c of t.columns.filter((x) => x.sealed))
        for await (const rows of r.rows(t.name))
          for (const row of rows) out.set(`${t.name}/${t.key.map((k) => String(row[k])).join('/')}/${c.name}`, String(row[c.name]));
    return out;
  });
}

const keyOf = (dataDir: string, file = 'master.key'): string => readFileSync(join(dataDir, file), 'utf8').trim();

for (const kind of ['sqlite', 'postgres'] as const) {
  const skip = kind === 'postgres' && !PG_URL ? 'set PARAPET_TEST_POSTGRES_URL' : false;

  describe(`parapet rotate-master-key (${kind})`, { skip }, () => {
    const schema = freshSchema('e2e_rotate');
    const work = mkdtempSync(join(tmpdir(), 'parapet-rotate-'));
    const dataDir = join(work, 'data');
    const storeArgs = kind === 'postgres' ? ['--database', PG_URL ?? '', '--database-schema', schema] : [];
    const storeOpts: Pick<ServeOptions, 'database' | 'databaseSchema'> = kind === 'postgres' ? { database: PG_URL ?? '', databaseSchema: schema } : {};
    const target: RotationTarget = { dataDir, ...storeOpts };
    let server: RunningServer | undefined;
    let management: Creds;
    let user: Creds;
    let session: Creds;
    const clients: Array<{ destroy(): void }> = [];

    const start = async (extra: Partial<ServeOptions> = {}): Promise<RunningServer> => {
      server = await startServer({ port: 0, dataDir, quotas: { disabled: true }, ...storeOpts, ...extra });
      return server;
    };
    const stop = async (): Promise<void> => {
      for (const c of clients.splice(0)) c.destroy();
      await server?.close();
      server = undefined;
    };
    const client = <C extends { destroy(): void }>(Ctor: new (c: { region: string; endpoint: string; credentials: Creds; maxAttempts: number }) => C, creds: Creds): C => {
      assert.ok(server);
      const c = new Ctor({ region: 'us-east-1', endpoint: server.url, credentials: creds, maxAttempts: 1 });
      clients.push(c);
      return c;
    };

    /** Every credential issued so far signs a call that succeeds. */
    async function assertCredentialsWork(): Promise<void> {
      await client(BedrockClient, management).send(new ListGuardrailsCommand({}));
      await client(BedrockClient, user).send(new ListGuardrailsCommand({}));
      const id = await client(STSClient, session).send(new GetCallerIdentityCommand({}));
      assert.match(id.Arn ?? '', /assumed-role\/OrganizationAccountAccessRole\/rotation/);
    }

    before(async () => {
      const s = await start({ demo: true });
      const mgmt = s.credentials.accounts.find((a) => a.role === 'management');
      const member = s.credentials.accounts.find((a) => a.name === 'team-a');
      assert.ok(mgmt && member);
      management = { accessKeyId: mgmt.accessKeyId, secretAccessKey: mgmt.secretAccessKey };
      const iam = client(IAMClient, management);
      await iam.send(new CreateUserCommand({ UserName: 'rotator' }));
      await iam.send(
        new PutUserPolicyCommand({
          UserName: 'rotator',
          PolicyName: 'list',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'bedrock:ListGuardrails', Resource: '*' }] }),
        }),
      );
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'rotator' }))).AccessKey;
      assert.ok(key?.AccessKeyId && key.SecretAccessKey);
      user = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
      const assumed = await client(STSClient, management).send(
        new AssumeRoleCommand({ RoleArn: roleArn(member.accountId, ORG_ACCESS_ROLE), RoleSessionName: 'rotation', DurationSeconds: 3600 }),
      );
      const c = assumed.Credentials;
      assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
      session = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
      await assertCredentialsWork();
      await stop();
    });

    after(async () => {
      await stop();
      rmSync(work, { recursive: true, force: true });
      if (kind === 'postgres' && PG_URL) await dropSchemas(PG_URL, schema);
    });

    it('refuses a wrong current key and changes nothing', async () => {
      const before = await sealedValues(await start());
      await stop();
      const original = keyOf(dataDir);
      const wrong = randomBytes(32).toString('hex');
      writeFileSync(join(dataDir, 'master.key'), `${wrong}\n`, { mode: 0o600 });
      try {
        const r = await cli(['--data-dir', dataDir, 'rotate-master-key', ...storeArgs]);
        assert.equal(r.code, 1, r.stdout);
        assert.match(r.stderr, /the current master key \(.*master\.key\) does not open \d+ stored secret\(s\): access_keys AKIA\w+.*Nothing was changed/);
        assert.ok(!r.stderr.includes(wrong) && !r.stderr.includes(original), 'no key in the message');
        assert.equal(keyOf(dataDir), wrong);
        for (const f of ['master.key.new', 'master.key.old']) assert.ok(!existsSync(join(dataDir, f)), `${f} was created`);
      } finally {
        writeFileSync(join(dataDir, 'master.key'), `${original}\n`, { mode: 0o600 });
      }
      assert.deepEqual(await sealedValues(await start()), before, 'the database is unchanged');
      await assertCredentialsWork();
      await stop();
    });

    it('re-encrypts every secret in one go, swaps master.key (old one kept) and the server serves the old credentials', async () => {
      const oldKey = keyOf(dataDir);
      const before = await sealedValues(await start());
      await stop();
      const r = await cli(['--data-dir', dataDir, 'rotate-master-key', ...storeArgs]);
      assert.equal(r.code, 0, r.stderr);
      const secrets = before.size;
      assert.ok(secrets >= 5, `${secrets} secrets`); // 3 account roots, the IAM user's key, the session
      assert.match(r.stdout, new RegExp(`re-encrypted ${secrets} secrets with the new master key in one transaction \\(access_keys \\d+, sessions 1\\); all ${secrets} open with the new key`));
      assert.match(r.stdout, /master\.key\.old/);
      const newKey = keyOf(dataDir);
      assert.notEqual(newKey, oldKey);
      assert.equal(keyOf(dataDir, 'master.key.old'), oldKey);
      assert.ok(!existsSync(join(dataDir, 'master.key.new')));
      assert.equal(statSync(join(dataDir, 'master.key')).mode & 0o777, 0o600);
      assert.ok(!r.stdout.includes(newKey) && !r.stdout.includes(oldKey), 'file mode prints no key');

      const s = await start();
      const after = await sealedValues(s);
      assert.deepEqual([...after.keys()], [...before.keys()]);
      const oldCipher = createAesGcmCipher(Buffer.from(oldKey, 'hex'), { alsoDecryptWith: [] });
      const newCipher = createAesGcmCipher(Buffer.from(newKey, 'hex'), { alsoDecryptWith: [] });
      for (const [k, sealed] of after) {
        assert.notEqual(sealed, before.get(k));
        assert.throws(() => oldCipher.decrypt(sealed), /wrong master key/, `${k} still opens with the old key`);
        assert.equal(newCipher.decrypt(sealed), oldCipher.decrypt(before.get(k) ?? ''));
      }
      await assertCredentialsWork();
      const [record] = await s.store.audit.list({ action: 'parapet:RotateMasterKey', limit: 10 });
      assert.ok(record, 'the rotation is in the audit trail');
      assert.ok(!JSON.stringify(record).includes(newKey) && !JSON.stringify(record).includes(oldKey));
      await stop();
    });

    it('refuses to overwrite the master.key.old of an earlier rotation', async () => {
      const r = await cli(['--data-dir', dataDir, 'rotate-master-key', ...storeArgs]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /master\.key\.old \(the key before an earlier rotation\) is in the way/);
      rmSync(join(dataDir, 'master.key.old'));
    });

    it('a crash after the commit, before the file switch: the server starts and serves every key; running again finishes', async () => {
      const oldKey = keyOf(dataDir);
      const plan = planRotation(target);
      const store = await openRotationStore(target, plan);
      try {
        const counts = await resealSecrets(store, plan, () => stagePendingKey(plan));
        assert.ok(counts.resealed >= 5);
      } finally {
        await store.close();
      }
      // "crash": master.key is still the old key, master.key.new holds the one the database is sealed with now.
      assert.equal(keyOf(dataDir), oldKey);
      assert.equal(keyOf(dataDir, 'master.key.new'), plan.next.toString('hex'));
      const s = await start();
      await assertCredentialsWork();
      // A key created meanwhile is sealed with master.key (the old key) …
      const extra = (await client(IAMClient, management).send(new CreateAccessKeyCommand({ UserName: 'rotator' }))).AccessKey;
      assert.ok(extra?.AccessKeyId && extra.SecretAccessKey);
      void s;
      await stop();
      // … and the next run re-seals it and finishes the switch.
      const r = await cli(['--data-dir', dataDir, 'rotate-master-key', ...storeArgs]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /finished an interrupted rotation/);
      assert.match(r.stdout, /re-encrypted 1 secrets .*; \d+ were already sealed with it/);
      assert.equal(keyOf(dataDir), plan.next.toString('hex'));
      assert.equal(keyOf(dataDir, 'master.key.old'), oldKey);
      assert.ok(!existsSync(join(dataDir, 'master.key.new')));
      await start();
      await assertCredentialsWork();
      await client(BedrockClient, { accessKeyId: extra.AccessKeyId, secretAccessKey: extra.SecretAccessKey }).send(new ListGuardrailsCommand({}));
      await stop();
      rmSync(join(dataDir, 'master.key.old'));
    });

    it('a crash before the commit: nothing is re-sealed, the server starts; running again finishes with the staged key', async () => {
      const oldKey = keyOf(dataDir);
      const plan = planRotation(target);
      const store = await openRotationStore(target, plan);
      try {
        await assert.rejects(
          resealSecrets(store, plan, () => {
            stagePendingKey(plan);
            throw new Error('simulated crash before the commit');
          }),
          /simulated crash/,
        );
      } finally {
        await store.close();
      }
      await start();
      await assertCredentialsWork();
      await stop();
      const r = await cli(['--data-dir', dataDir, 'rotate-master-key', '--new-key-file', join(dataDir, 'master.key')]);
      assert.equal(r.code, 1, 'another key than the staged one is refused');
      assert.match(r.stderr, /an interrupted rotation to another key is pending/);
      const done = await cli(['--data-dir', dataDir, 'rotate-master-key', ...storeArgs]);
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stdout, /finished an interrupted rotation/);
      assert.equal(keyOf(dataDir), plan.next.toString('hex'));
      assert.equal(keyOf(dataDir, 'master.key.old'), oldKey);
      await start();
      await assertCredentialsWork();
      await stop();
      rmSync(join(dataDir, 'master.key.old'));
    });

    it('with PARAPET_MASTER_KEY: takes the new key from --new-key-file, prints it once and writes no key file', async () => {
      // Move to environment mode: the key leaves the data directory.
      const current = keyOf(dataDir);
      renameSync(join(dataDir, 'master.key'), join(work, 'old.key'));
      const next = randomBytes(32).toString('hex');
      writeFileSync(join(work, 'next.key'), `${next}\n`, { mode: 0o600 });
      const r = await cli(['--data-dir', dataDir, 'rotate-master-key', ...storeArgs, '--new-key-file', join(work, 'next.key')], {
        PARAPET_MASTER_KEY: current,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /re-encrypted \d+ secrets/);
      assert.equal(r.stdout.split(next).length, 2, 'the new key is printed exactly once');
      assert.match(r.stdout, new RegExp(`PARAPET_MASTER_KEY=${next}\\n`));
      assert.match(r.stdout, /on every replica/);
      assert.ok(!r.stdout.includes(current), 'the old key is not printed');
      for (const f of ['master.key', 'master.key.new', 'master.key.old']) assert.ok(!existsSync(join(dataDir, f)), `${f} exists`);
      await start({ masterKey: next });
      await assertCredentialsWork();
      const oldCipher = createAesGcmCipher(Buffer.from(current, 'hex'), { alsoDecryptWith: [] });
      assert.ok(server);
      for (const sealed of (await sealedValues(server)).values()) assert.throws(() => oldCipher.decrypt(sealed));
      await stop();
    });
  });
}
