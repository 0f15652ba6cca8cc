import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ApiError, type ClientConfig } from './client.ts';
import { type LocalAccount, resolveClientConfig, saveAccountKey, type StsPort } from './config.ts';

const MGMT: LocalAccount = { accountId: '111111111111', name: 'management', role: 'management', accessKeyId: 'AKIAMGMT', secretAccessKey: 's1' };
const TEAM: LocalAccount = { accountId: '222222222222', name: 'team-a', role: 'member', accessKeyId: 'AKIATEAM', secretAccessKey: 's2' };

describe('resolveClientConfig --account', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parapet-cli-'));
  writeFileSync(join(dir, 'credentials.json'), JSON.stringify({ accounts: [MGMT, TEAM], region: 'eu-west-1', endpoint: 'http://x:1' }));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const env = {};

  function fakeSts(identity = '999999999999'): StsPort & { calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      async assumeRole(cfg: ClientConfig, roleArn: string, session: string) {
        calls.push(`assume ${cfg.credentials.accessKeyId} ${roleArn} ${session}`);
        if (roleArn.includes('333333333333')) throw new ApiError('AccessDenied', 'not trusted', 403);
        return { accessKeyId: 'ASIAX', secretAccessKey: 'x', sessionToken: 'tok', source: `AssumeRole ${roleArn}` };
      },
      async getCallerIdentity(cfg: ClientConfig) {
        calls.push(`whoami ${cfg.credentials.accessKeyId}`);
        return { account: identity, arn: `arn:aws:iam::${identity}:root`, userId: identity };
      },
    };
  }

  it('without --account: the management key, endpoint and Region of credentials.json', async () => {
    const c = await resolveClientConfig({ dataDir: dir }, env, fakeSts());
    assert.equal(c.credentials.accessKeyId, 'AKIAMGMT');
    assert.equal(c.endpoint, 'http://x:1');
    assert.equal(c.region, 'eu-west-1');
  });

  it('an account of credentials.json, by id or name, uses its key without STS', async () => {
    const sts = fakeSts();
    assert.equal((await resolveClientConfig({ dataDir: dir, account: 'team-a' }, env, sts)).credentials.accessKeyId, 'AKIATEAM');
    assert.equal((await resolveClientConfig({ dataDir: dir, account: TEAM.accountId }, env, sts)).credentials.accessKeyId, 'AKIATEAM');
    assert.equal((await resolveClientConfig({ dataDir: dir, account: MGMT.accountId }, env, sts)).credentials.accessKeyId, 'AKIAMGMT');
    assert.deepEqual(sts.calls, []);
  });

  it('base credentials that already are the account are kept (asked with GetCallerIdentity when unknown)', async () => {
    const sts = fakeSts('444444444444');
    const c = await resolveClientConfig(
      { dataDir: dir, account: '444444444444' },
      { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'e' },
      sts,
    );
    assert.equal(c.credentials.accessKeyId, 'AKIAENV');
    assert.deepEqual(sts.calls, ['whoami AKIAENV']);
  });

  it('another 12-digit account: AssumeRole of its OrganizationAccountAccessRole with the base credentials', async () => {
    const sts = fakeSts();
    const c = await resolveClientConfig({ dataDir: dir, account: '555555555555' }, env, sts);
    assert.equal(c.credentials.sessionToken, 'tok');
    assert.equal(c.region, 'eu-west-1');
    // The base key is the management key of credentials.json: no need to ask who it is.
    assert.deepEqual(sts.calls, ['assume AKIAMGMT arn:aws:iam::555555555555:role/OrganizationAccountAccessRole parapet-cli']);
  });

  it('a refused AssumeRole keeps its code and says what to do; a non-id name is an error', async () => {
    await assert.rejects(resolveClientConfig({ dataDir: dir, account: '333333333333' }, env, fakeSts()), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /^Cannot act in account 333333333333: AssumeRole of .* failed: not trusted\. Use the management account/);
      return true;
    });
    await assert.rejects(resolveClientConfig({ dataDir: dir, account: 'nobody' }, env, fakeSts()), /'nobody' is not in .*credentials\.json/);
  });

  it('saveAccountKey adds or replaces an entry, with mode 0600', () => {
    const file = join(dir, 'saved.json');
    writeFileSync(file, JSON.stringify({ accounts: [MGMT], region: 'us-east-1' }), { mode: 0o644 });
    assert.equal(saveAccountKey(file, { ...TEAM }), 'added');
    assert.equal(saveAccountKey(file, { ...TEAM, name: '222222222222', accessKeyId: 'AKIANEW' }), 'replaced');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { accounts: LocalAccount[]; region: string };
    assert.equal(saved.region, 'us-east-1');
    assert.deepEqual(saved.accounts.map((a) => [a.name, a.accessKeyId]), [['management', 'AKIAMGMT'], ['team-a', 'AKIANEW']]);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });
});
