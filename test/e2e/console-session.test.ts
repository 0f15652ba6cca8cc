/**
 * The console's sign-in and its cookie-authenticated API calls, over plain HTTP (the browser tests in
 * test/console drive the pages themselves).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** Signs in to the console of the server at `base`: the session cookie (as a Cookie header) and its CSRF token. */
async function consoleSession(
  base: string,
  creds: { accessKeyId: string; secretAccessKey: string },
): Promise<{ cookie: string; csrf: string; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey }),
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as Record<string, unknown>;
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { cookie, csrf: String(body.csrfToken), body };
}

describe('console sessions', () => {
  let t: TestServer;
  let dist: string;
  before(async () => {
    // A stand-in build (the real one is checked by the browser tests): an index page and one hashed asset.
    dist = mkdtempSync(join(tmpdir(), 'parapet-console-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Parapet console</title><script type="module" src="/console/assets/app-1a2b.js"></script>');
    writeFileSync(join(dist, 'assets', 'app-1a2b.js'), `console.log(${JSON.stringify('x'.repeat(2000))});`);
    t = await startTestServer({ consoleDir: dist });
  });
  after(async () => {
    await t?.stop();
    rmSync(dist, { recursive: true, force: true });
  });

  const url = (p: string) => `${t.server.url}${p}`;
  const signIn = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(url('/console/api/session'), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const session = () => consoleSession(t.server.url, t.credentials);

  it('serves the app: /console redirects, app routes get index.html, assets are cached and gzipped, a missing asset is a 404', async () => {
    const r = await fetch(url('/console'), { redirect: 'manual' });
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), '/console/');
    for (const p of ['/console/', '/console/guardrails/abc', '/console/audit']) {
      const page = await fetch(url(p));
      assert.equal(page.status, 200, p);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      assert.equal(page.headers.get('x-frame-options'), 'DENY');
      assert.match(await page.text(), /Parapet console/);
    }
    const js = await fetch(url('/console/assets/app-1a2b.js'), { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(js.headers.get('content-encoding'), 'gzip');
    assert.match(await js.text(), /^console\.log/); // fetch decompresses
    assert.equal((await fetch(url('/console/assets/old-bundle.js'))).status, 404);
    assert.equal((await fetch(url('/console/assets/..%2f..%2findex.html'))).status, 404);
  });

  it('GET /console/api/session says who is signed in, or signedIn false (never an error page)', async () => {
    const none = await fetch(url('/console/api/session'));
    assert.equal(none.status, 200);
    assert.deepEqual(await none.json(), { signedIn: false });
    const { cookie, csrf, body } = await session();
    assert.equal(body.accountId, t.accountId);
    assert.equal(body.region, 'us-east-1');
    const me = await fetch(url('/console/api/session'), { headers: { cookie } });
    const got = (await me.json()) as Record<string, unknown>;
    assert.equal(got.signedIn, true);
    assert.equal(got.csrfToken, csrf);
  });

  it('sign-in: an HttpOnly, SameSite=Strict cookie; a wrong secret, a bad body, a form post are refused with AWS errors', async () => {
    const ok = await signIn({ accessKeyId: t.credentials.accessKeyId, secretAccessKey: t.credentials.secretAccessKey, region: 'eu-west-1' });
    const setCookie = ok.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^parapet_console=[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    assert.equal(((await ok.json()) as { region: string }).region, 'eu-west-1');

    const wrong = await signIn({ accessKeyId: t.credentials.accessKeyId, secretAccessKey: 'x'.repeat(40) });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.headers.get('x-amzn-errortype'), 'UnrecognizedClientException');
    assert.equal(wrong.headers.get('set-cookie'), null);
    const missing = await signIn({ accessKeyId: t.credentials.accessKeyId });
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as { message: string }).message, /secretAccessKey is required/);
    const extra = await signIn({ accessKeyId: 'A', secretAccessKey: 'b', password: 'c' });
    assert.match(((await extra.json()) as { message: string }).message, /Unknown field 'password'/);
    const badRegion = await signIn({ accessKeyId: t.credentials.accessKeyId, secretAccessKey: t.credentials.secretAccessKey, region: 'mars-1' });
    assert.equal(badRegion.headers.get('x-amzn-errortype'), 'ValidationException');
    const form = await fetch(url('/console/api/session'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'accessKeyId=a' });
    assert.equal(form.status, 415);
    const notJson = await fetch(url('/console/api/session'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    assert.equal(notJson.headers.get('x-amzn-errortype'), 'SerializationException');
    const crossSite = await signIn({ accessKeyId: t.credentials.accessKeyId, secretAccessKey: t.credentials.secretAccessKey }, { origin: 'https://evil.example' });
    assert.equal(crossSite.status, 403);
  });

  it('API calls with the cookie need the CSRF header and come from the same site; then they run as the signed-in principal', async () => {
    const { cookie, csrf } = await session();
    const noCsrf = await fetch(url('/guardrails'), { headers: { cookie } });
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.headers.get('x-amzn-errortype'), 'AccessDeniedException');
    const wrongCsrf = await fetch(url('/guardrails'), { headers: { cookie, 'x-parapet-csrf': `${csrf.slice(0, -2)}xx` } });
    assert.equal(wrongCsrf.status, 403);
    const crossSite = await fetch(url('/guardrails'), { headers: { cookie, 'x-parapet-csrf': csrf, 'sec-fetch-site': 'cross-site' } });
    assert.equal(crossSite.status, 403);

    const created = await fetch(url('/guardrails'), {
      method: 'POST',
      headers: { cookie, 'x-parapet-csrf': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'from-console', blockedInputMessaging: 'no', blockedOutputsMessaging: 'no', wordPolicyConfig: { wordsConfig: [{ text: 'bogus' }] } }),
    });
    assert.equal(created.status, 202);
    const { guardrailId } = (await created.json()) as { guardrailId: string };
    const list = await fetch(url('/guardrails'), { headers: { cookie, 'x-parapet-csrf': csrf } });
    assert.equal(list.status, 200);
    assert.ok(((await list.json()) as { guardrails: Array<{ id: string }> }).guardrails.some((g) => g.id === guardrailId));

    // The runtime and AWS Organizations (awsJson1_1) work the same way.
    const applied = await fetch(url(`/guardrail/${guardrailId}/version/DRAFT/apply`), {
      method: 'POST',
      headers: { cookie, 'x-parapet-csrf': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'INPUT', content: [{ text: { text: 'this is bogus' } }] }),
    });
    assert.equal(((await applied.json()) as { action: string }).action, 'GUARDRAIL_INTERVENED');
    const orgs = (target: string, body: unknown) =>
      fetch(url('/'), {
        method: 'POST',
        headers: { cookie, 'x-parapet-csrf': csrf, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSOrganizationsV20161128.${target}` },
        body: JSON.stringify(body),
      });
    assert.equal((await orgs('CreateOrganization', { FeatureSet: 'ALL' })).status, 200);
    const org = await orgs('DescribeOrganization', {});
    assert.equal(org.status, 200);
    assert.equal(((await org.json()) as { Organization: { MasterAccountId: string } }).Organization.MasterAccountId, t.accountId);

    // The Region of a call: the session's, or the x-parapet-region header (checked like a signed Region).
    const inEu = await fetch(url('/guardrails'), { headers: { cookie, 'x-parapet-csrf': csrf, 'x-parapet-region': 'eu-west-1' } });
    assert.deepEqual(((await inEu.json()) as { guardrails: unknown[] }).guardrails, []);
    const bad = await fetch(url('/guardrails'), { headers: { cookie, 'x-parapet-csrf': csrf, 'x-parapet-region': 'nowhere' } });
    assert.equal(bad.headers.get('x-amzn-errortype'), 'ValidationException');

    // The audit trail names the console's principal as the caller.
    const audit = await fetch(url('/admin/v1/audit?action=bedrock:CreateGuardrail'), { headers: { cookie, 'x-parapet-csrf': csrf } });
    const rec = ((await audit.json()) as { records: Array<{ principalArn: string; accountId: string }> }).records[0];
    assert.equal(rec?.accountId, t.accountId);
  });

  it('signing out needs the CSRF token, clears the cookie, and the old cookie no longer works', async () => {
    const { cookie, csrf } = await session();
    const forged = await fetch(url('/console/api/session'), { method: 'DELETE', headers: { cookie } });
    assert.equal(forged.status, 403);
    const out = await fetch(url('/console/api/session'), { method: 'DELETE', headers: { cookie, 'x-parapet-csrf': csrf } });
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie') ?? '', /^parapet_console=; .*Max-Age=0/);
    const after = await fetch(url('/guardrails'), { headers: { cookie, 'x-parapet-csrf': csrf } });
    assert.equal(after.status, 403);
    assert.equal(after.headers.get('x-amzn-errortype'), 'ExpiredTokenException');
    assert.deepEqual(await (await fetch(url('/console/api/session'), { headers: { cookie } })).json(), { signedIn: false });
  });

  it('a forged or tampered cookie is refused', async () => {
    const { cookie, csrf } = await session();
    const [name, value = ''] = cookie.split('=');
    const [body = '', mac = ''] = value.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const longer = Buffer.from(JSON.stringify({ ...claims, expiresAt: Date.now() + 10 * 365 * 86400_000 })).toString('base64url');
    const res = await fetch(url('/guardrails'), { headers: { cookie: `${name}=${longer}.${mac}`, 'x-parapet-csrf': csrf } });
    assert.equal(res.headers.get('x-amzn-errortype'), 'ExpiredTokenException');
  });

  it('after ten failed sign-ins from one address, the next is throttled', async () => {
    for (let i = 0; i < 10; i++) await signIn({ accessKeyId: 'AKIAEXAMPLEEXAMPLE00', secretAccessKey: `wrong-${i}` });
    const throttled = await signIn({ accessKeyId: t.credentials.accessKeyId, secretAccessKey: t.credentials.secretAccessKey });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('x-amzn-errortype'), 'ThrottlingException');
  });
});

describe('console: switch role into a member account', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ demo: true });
  });
  after(async () => {
    await t?.stop();
  });

  it('the management account acts in team-a through OrganizationAccountAccessRole, then switches back', async () => {
    const url = (p: string) => `${t.server.url}${p}`;
    const teamA = t.server.credentials.accounts.find((a) => a.name === 'team-a');
    assert.ok(teamA);
    const signedIn = await consoleSession(t.server.url, t.credentials);
    const first = { csrfToken: signedIn.csrf };
    let cookie = signedIn.cookie;
    const post = (path: string, body: unknown, csrf: string) =>
      fetch(url(path), { method: 'POST', headers: { cookie, 'x-parapet-csrf': csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const noCsrf = await post('/console/api/session/switch-role', { accountId: teamA.accountId }, 'x');
    assert.equal(noCsrf.status, 403);
    const bad = await post('/console/api/session/switch-role', { accountId: '12' }, first.csrfToken);
    assert.equal(bad.headers.get('x-amzn-errortype'), 'ValidationException');

    const switched = await post('/console/api/session/switch-role', { accountId: teamA.accountId }, first.csrfToken);
    assert.equal(switched.status, 200);
    const s = (await switched.json()) as { accountId: string; principalArn: string; csrfToken: string; switchedRole: boolean };
    assert.equal(s.accountId, teamA.accountId);
    assert.match(s.principalArn, new RegExp(`^arn:aws:sts::${teamA.accountId}:assumed-role/OrganizationAccountAccessRole/console-`));
    assert.equal(s.switchedRole, true);
    const oldCookie = cookie;
    cookie = (switched.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    // The session it replaced is over.
    assert.equal((await fetch(url('/guardrails'), { headers: { cookie: oldCookie, 'x-parapet-csrf': first.csrfToken } })).status, 403);
    // Calls now run in team-a.
    const created = await fetch(url('/guardrails'), {
      method: 'POST',
      headers: { cookie, 'x-parapet-csrf': s.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'team-a-own', blockedInputMessaging: 'no', blockedOutputsMessaging: 'no', wordPolicyConfig: { wordsConfig: [{ text: 'x' }] } }),
    });
    assert.match(((await created.json()) as { guardrailArn: string }).guardrailArn, new RegExp(`:${teamA.accountId}:guardrail/`));

    const back = await post('/console/api/session/switch-back', {}, s.csrfToken);
    assert.equal(back.status, 200);
    const b = (await back.json()) as { accountId: string; switchedRole?: boolean };
    assert.equal(b.accountId, t.accountId);
    assert.equal(b.switchedRole, undefined);
  });

  it('a member account cannot switch into the management account; a session that has not switched cannot switch back', async () => {
    const url = (p: string) => `${t.server.url}${p}`;
    const teamA = t.server.credentials.accounts.find((a) => a.name === 'team-a');
    assert.ok(teamA);
    const { cookie, csrf: csrfToken } = await consoleSession(t.server.url, teamA);
    const post = (path: string, body: unknown) =>
      fetch(url(path), { method: 'POST', headers: { cookie, 'x-parapet-csrf': csrfToken, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const denied = await post('/console/api/session/switch-role', { accountId: t.accountId });
    assert.equal(denied.status, 403);
    assert.equal(denied.headers.get('x-amzn-errortype'), 'AccessDeniedException');
    const back = await post('/console/api/session/switch-back', {});
    assert.equal(back.headers.get('x-amzn-errortype'), 'ValidationException');
  });

  it('deactivating the access key ends its console session (within the 5 s key cache)', async () => {
    const iam = t.client(IAMClient);
    await iam.send(new CreateUserCommand({ UserName: 'console-user' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'console-user' }))).AccessKey;
    assert.ok(key?.AccessKeyId && key.SecretAccessKey);
    const { cookie, csrf } = await consoleSession(t.server.url, { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'console-user', AccessKeyId: key.AccessKeyId, Status: 'Inactive' }));
    await new Promise((r) => setTimeout(r, 5_200));
    const call = await fetch(`${t.server.url}/guardrails`, { headers: { cookie, 'x-parapet-csrf': csrf } });
    assert.equal(call.status, 403);
    assert.equal(call.headers.get('x-amzn-errortype'), 'UnrecognizedClientException');
    assert.deepEqual(await (await fetch(`${t.server.url}/console/api/session`, { headers: { cookie } })).json(), { signedIn: false });
  });
});
