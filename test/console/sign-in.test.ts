/** The console in a real browser: sign-in, navigation, session end, sign-out. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consoleSuite, screenshot, signIn, skipWithoutBrowser } from '../helpers/browser.ts';

describe('console: sign-in and session', { skip: skipWithoutBrowser() }, () => {
  const suite = consoleSuite();

  it('a wrong key shows the server’s error; the right key signs in; the cookie is HttpOnly', async () => {
    const { t } = suite;
    const p = await suite.open();
    await p.page.goto('/console/');
    await screenshot(p.page, 'sign-in');
    await p.page.getByLabel('Access key ID').fill(t.credentials.accessKeyId);
    await p.page.getByLabel('Secret access key').fill('not-the-secret');
    await p.page.getByRole('button', { name: 'Sign in' }).click();
    await p.page.getByRole('alert').filter({ hasText: 'UnrecognizedClientException' }).waitFor();
    await signIn(p.page, t.credentials);
    const cookies = await p.context.cookies();
    const c = cookies.find((x) => x.name === 'parapet_console');
    assert.equal(c?.httpOnly, true);
    assert.equal(c?.sameSite, 'Strict');
    assert.equal(await p.page.evaluate('document.cookie'), '', 'scripts cannot read the session cookie');
    // The failed sign-in's 403 is the only error the browser logged.
    p.assertNoErrors(/403 \(Forbidden\)/);
    await p.close();
  });

  it('navigation is keyboard-reachable and marks the current page; a reload keeps the session; sign-out ends it', async () => {
    const { t } = suite;
    const p = await suite.open();
    await signIn(p.page, t.credentials);
    const nav = p.page.getByRole('navigation', { name: 'Console sections' });
    await nav.getByRole('link', { name: 'Audit trail' }).click();
    await p.page.waitForURL(/\/console\/audit$/);
    assert.equal(await nav.getByRole('link', { name: 'Audit trail' }).getAttribute('aria-current'), 'page');
    await p.page.reload();
    await nav.waitFor();
    assert.match(p.page.url(), /\/console\/audit$/);
    await p.page.getByRole('button', { name: 'Sign out' }).click();
    await p.page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.deepEqual((await p.context.cookies()).filter((x) => x.name === 'parapet_console' && x.value), []);
    p.assertNoErrors();
    await p.close();
  });

  it('when the session ends on the server, the next call returns the user to sign-in with a notice', async () => {
    const { t } = suite;
    const p = await suite.open();
    await signIn(p.page, t.credentials);
    // The first page has loaded (its calls are done): the next call is the click below.
    await p.page.getByRole('row', { name: /parapet-demo-baseline/ }).getByText('Version 1').waitFor();
    // Sign out from another tab of the same browser: this page's session is now revoked.
    const other = await p.context.newPage();
    await other.goto('/console/');
    await other.getByRole('button', { name: 'Sign out' }).click();
    await other.close();
    await p.page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Guardrails' }).click();
    await p.page.getByText('Your session ended').waitFor();
    p.assertNoErrors(/403 \(Forbidden\)/);
    await p.close();
  });

  it('a refusal that is not JSON still shows the server’s words; an answer of an unexpected shape leaves the frame usable', async () => {
    const { t } = suite;
    const p = await suite.open();
    const page = p.page;
    await signIn(page, t.credentials);
    // A proxy in front of the gateway answers with an HTML error page.
    await page.route('**/guardrails?maxResults=25', (r) => r.fulfill({ status: 502, contentType: 'text/html', body: '<html><body><h1>Bad gateway</h1> upstream timed out</body></html>' }));
    await page.goto('/console/guardrails');
    await page.getByRole('alert').filter({ hasText: 'HTTP502: Bad gateway upstream timed out' }).waitFor();
    // A verify report without its lists: the page says it cannot be shown; the navigation stays.
    await page.route('**/admin/v1/verify*', (r) => r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ accountId: t.accountId }) }));
    await page.goto(`/console/organization?account=${t.accountId}`);
    await page.getByRole('heading', { name: 'This page could not be shown' }).waitFor();
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Guardrails' }).click();
    await page.getByRole('heading', { name: 'Guardrails', level: 1 }).waitFor();
    p.assertNoErrors(/502 \(Bad Gateway\)|TypeError: Cannot read properties of undefined|The above error occurred/);
    await p.close();
  });
});
