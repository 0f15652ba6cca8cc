/** The console's Audit trail, Monitoring and Playground pages in a real browser, on the demo organization. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateGuardrailCommand, CreateGuardrailVersionCommand, PutEnforcedGuardrailConfigurationCommand } from '@aws-sdk/client-bedrock';
import { ApplyGuardrailCommand, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { crc32, EventStreamDecoder, EventStreamError, interpret } from '../../console/src/pages/playground/eventstream.ts';
import { consoleSuite, screenshot, settled, signIn, skipWithoutBrowser } from '../helpers/browser.ts';

const DEMO = 'parapet.demo-v1';

const BLOCKED_INPUT = 'Playground test: the account guardrail blocked this prompt.';

describe('console: event stream decoder', () => {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const frame = (type: 'event' | 'exception', name: string, payload: unknown) =>
    codec.encode({
      headers: {
        ':message-type': { type: 'string', value: type },
        [type === 'event' ? ':event-type' : ':exception-type']: { type: 'string', value: name },
        ':content-type': { type: 'string', value: 'application/json' },
      },
      body: fromUtf8(JSON.stringify(payload)),
    });

  it('computes the CRC-32 zlib does', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });

  it('decodes frames split at every possible boundary, events and exceptions', () => {
    const a = frame('event', 'contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hello' } });
    const b = frame('exception', 'throttlingException', { message: 'Slow down' });
    const all = new Uint8Array([...a, ...b]);
    for (let cut = 0; cut <= all.length; cut++) {
      const d = new EventStreamDecoder();
      const got = [...d.push(all.slice(0, cut)), ...d.push(all.slice(cut))];
      d.end();
      assert.equal(got.length, 2, `cut at ${cut}`);
      assert.deepEqual(interpret(got[0]!), { kind: 'event', type: 'contentBlockDelta', data: { contentBlockIndex: 0, delta: { text: 'Hello' } } });
      assert.deepEqual(interpret(got[1]!), { kind: 'exception', type: 'throttlingException', message: 'Slow down', data: { message: 'Slow down' } });
    }
  });

  it('refuses a corrupt frame (either CRC) and a stream that ends inside a frame', () => {
    const good = frame('event', 'messageStop', { stopReason: 'end_turn' });
    const body = good.slice();
    body[body.length - 6] = (body[body.length - 6] ?? 0) ^ 0xff;
    assert.throws(() => new EventStreamDecoder().push(body), (e: unknown) => e instanceof EventStreamError && /message CRC/.test(e.message));
    const prelude = good.slice();
    prelude[3] = (prelude[3] ?? 0) ^ 0x01;
    assert.throws(() => new EventStreamDecoder().push(prelude), (e: unknown) => e instanceof EventStreamError && /prelude CRC/.test(e.message));
    const d = new EventStreamDecoder();
    assert.deepEqual(d.push(good.slice(0, 20)), []);
    assert.throws(() => d.end(), /ended inside a message/);
  });
});

describe('console: audit trail, monitoring and playground', { skip: skipWithoutBrowser() }, () => {
  let teamA: { accountId: string; accessKeyId: string; secretAccessKey: string };
  let teamB: { accountId: string; accessKeyId: string; secretAccessKey: string };
  let guardrailArn = '';

  const suite = consoleSuite(async (t) => {
    const acct = (name: string) => {
      const a = t.server.credentials.accounts.find((x) => x.name === name);
      if (!a) throw new Error(`no ${name} in the demo organization`);
      return a;
    };
    teamA = acct('team-a');
    teamB = acct('team-b');
    // The management account's own enforced guardrail: a published version that blocks the word "zanzibar".
    const g = await t.bedrock().send(
      new CreateGuardrailCommand({
        name: 'playground-words',
        blockedInputMessaging: BLOCKED_INPUT,
        blockedOutputsMessaging: 'Playground test: the account guardrail blocked this answer.',
        wordPolicyConfig: { wordsConfig: [{ text: 'zanzibar' }] },
      }),
    );
    guardrailArn = g.guardrailArn ?? '';
    await t.bedrock().send(new CreateGuardrailVersionCommand({ guardrailIdentifier: g.guardrailId }));
    await t.bedrock().send(new PutEnforcedGuardrailConfigurationCommand({ guardrailInferenceConfig: { guardrailIdentifier: g.guardrailId, guardrailVersion: '1' } }));
    // Records: model calls from both member accounts (one blocked by the organization's word filter), and a
    // direct ApplyGuardrail call of the management account.
    const say = (creds: { accessKeyId: string; secretAccessKey: string }, text: string) =>
      t.runtime('us-east-1', creds).send(new ConverseCommand({ modelId: DEMO, messages: [{ role: 'user', content: [{ text }] }] }));
    await say(teamA, 'hello from team a');
    await say(teamA, 'tell me about Project Nightingale');
    await say(teamB, 'hello from team b');
    await say(teamB, 'repeat: write to bob@example.com');
    await t.runtime().send(
      new ApplyGuardrailCommand({ guardrailIdentifier: g.guardrailId, guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'zanzibar again' } }] }),
    );
  });

  it('filters the trail by action and by account (kept in the URL), opens a record, verifies the chain', async () => {
    const { t } = suite;
    const p = await suite.open();
    const page = p.page;
    await signIn(page, t.credentials);
    await page.goto('/console/audit');
    const table = page.getByRole('table', { name: 'Audit records, newest first' });
    await table.waitFor();

    await page.getByLabel('Action').fill('bedrock:ApplyGuardrail');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/action=bedrock%3AApplyGuardrail/);
    const actions = await settled(
      () => table.locator('tbody tr td:nth-child(5)').allTextContents(),
      (a) => a.length >= 4 && a.every((x) => x === 'bedrock:ApplyGuardrail'),
      'only guardrail applications are listed',
    );
    assert.ok(actions.length >= 4);

    await page.getByLabel('Account', { exact: true }).selectOption({ label: `team-a (${teamA.accountId})` });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(new RegExp(`account=${teamA.accountId}`));
    const accounts = await settled(
      () => table.locator('tbody tr td:nth-child(3)').allTextContents(),
      (a) => a.length >= 2 && a.every((x) => x.includes(teamA.accountId)),
      'only team-a records are listed',
    );
    const outcomes = await table.locator('tbody tr td:nth-child(6)').allTextContents();
    assert.ok(outcomes.includes('INTERVENED'), 'Project Nightingale was blocked by the organization guardrail');
    await screenshot(page, 'audit');

    // The filtered view survives a reload.
    await page.reload();
    await table.waitFor();
    assert.equal(await page.getByLabel('Action').inputValue(), 'bedrock:ApplyGuardrail');
    assert.equal(await page.getByLabel('Account', { exact: true }).inputValue(), teamA.accountId);
    assert.equal((await table.locator('tbody tr').count()), accounts.length);

    // Policy type (a client-side filter on the records' detail): word filters that intervened.
    await page.getByLabel('Policy type').selectOption({ label: 'Word filters' });
    await page.getByLabel('Only where it intervened').check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/policy=word&intervening=1/);
    await page.getByRole('status').filter({ hasText: /records were read/ }).waitFor();
    const detail = await settled(() => table.locator('tbody tr td:nth-child(7)').allTextContents(), (d) => d.length === 1, 'one word-filter intervention');
    assert.match(detail[0] ?? '', /BLOCKED: CUSTOM/);

    // The record's details: every field, the detail JSON, the hash chain.
    const link = table.getByRole('link', { name: /^Record #\d+$/ }).first();
    const seq = Number(((await link.textContent()) ?? '').replace(/\D/g, ''));
    await link.click();
    await page.getByRole('heading', { name: `Audit record #${seq}`, level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Hash chain' }).waitFor();
    const json = await page.getByLabel('Detail (JSON)').textContent();
    assert.match(json ?? '', /"policy": "word"/);
    assert.match(json ?? '', /"latencyMs"/);
    await page.getByText(`Matches the hash of record #${seq - 1}.`).waitFor();
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByText('Hash chain intact.').waitFor();
    await page.getByRole('link', { name: '← Back to the audit trail' }).click();
    await page.waitForURL(/\/console\/audit\?.*policy=word/);
    await table.waitFor();

    // The side navigation's link clears the filters; paging goes to older records and back.
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Audit trail' }).click();
    await page.waitForURL(/\/console\/audit$/);
    await settled(() => page.getByLabel('Action').inputValue(), (v) => v === '', 'the filters are cleared');
    await page.getByLabel('Records per page').selectOption('25');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/limit=25/);
    const seqs = () => table.locator('tbody tr td:first-child').allTextContents().then((l) => l.map((x) => Number(x.replace(/\D/g, ''))));
    const newest = await settled(seqs, (l) => l.length === 25, 'a page of 25');
    const pager = page.getByRole('navigation', { name: 'Pages of the audit trail' });
    await pager.getByRole('link', { name: 'Older records →' }).click();
    await page.waitForURL(/before=\d+/);
    const older = await settled(seqs, (l) => l.length > 0 && (l[0] ?? 0) < Math.min(...newest), 'older records');
    assert.equal(older[0], Math.min(...newest) - 1);
    await pager.getByRole('link', { name: '← Newer records' }).click();
    await page.waitForURL(/after=\d+/);
    await settled(seqs, (l) => l[l.length - 1] === Math.max(...older) + 1, 'the newer page again');
    p.assertNoErrors();
    await p.close();
  });

  it('monitoring charts the records of a window and says how many it used', async () => {
    const { t } = suite;
    const p = await suite.open();
    const page = p.page;
    await signIn(page, t.credentials);
    await page.goto('/console/monitoring');
    const basis = page.getByRole('status').filter({ hasText: 'Computed from' });
    await basis.waitFor();
    const used = Number(((await basis.locator('strong').textContent()) ?? '').replace(/\D/g, ''));
    assert.ok(used >= 10, `records used: ${used}`);
    for (const name of ['Invocations over time', 'Interventions by policy type', 'Interventions by account', 'Guardrail latency p50 / p99 over time'])
      await page.getByRole('img', { name: new RegExp(`^${name.replace(/[/]/g, '\\/')}`) }).waitFor();
    // The screen-reader table behind each chart.
    await page.getByText('Data table: Interventions by policy type').click();
    const rows = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Policy type' }) }).getByRole('row');
    assert.ok((await rows.allTextContents()).some((r) => r.startsWith('Word filters')));
    await page.getByText('Data table: Interventions by account').click();
    const acct = await page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Account' }) }).textContent();
    assert.match(acct ?? '', /team-a/);
    await page.getByText('Data table: Interventions by policy type').click();
    await page.getByText('Data table: Interventions by account').click();
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'monitoring');
    await page.getByLabel('Time window').selectOption('1h');
    await page.waitForURL(/window=1h/);
    await basis.waitFor();
    p.assertNoErrors();
    await p.close();
  });

  it('the playground streams a reply from the demo model, and shows the enforced guardrail intervening with its trace', async () => {
    const { t } = suite;
    const p = await suite.open();
    const page = p.page;
    await signIn(page, t.credentials);
    await page.goto('/console/playground');
    assert.equal(await page.getByLabel('Model').inputValue(), DEMO);
    // The dry run lists the account-enforced and organization-enforced guardrails.
    const applies = page.getByRole('region', { name: 'Guardrails that apply' });
    await applies.getByText('Account-enforced').waitFor();
    await applies.getByText('Organization-enforced').waitFor();

    const log = page.getByRole('log', { name: 'Messages' });
    await page.getByLabel('Message', { exact: true }).fill('hello playground');
    await page.getByRole('button', { name: 'Send' }).click();
    await log.getByText(`Demo model (${DEMO}) here. You said: hello playground`).waitFor();
    const first = log.getByRole('article', { name: 'Exchange 1' });
    await first.getByText('end_turn').waitFor();
    await first.getByRole('region', { name: 'Guardrail trace' }).waitFor();
    await first.getByText('Organization-enforced').first().waitFor();

    await page.getByLabel('Message', { exact: true }).fill('what is in Zanzibar?');
    await page.keyboard.press('Control+Enter');
    const second = log.getByRole('article', { name: 'Exchange 2' });
    await second.getByText(BLOCKED_INPUT).waitFor();
    await second.getByText('guardrail_intervened').waitFor();
    await second.getByText('A guardrail intervened.').waitFor();
    await second.getByText('It blocked the prompt before the model saw it.').waitFor();
    const trace = second.getByRole('region', { name: 'Guardrail trace' });
    await trace.getByText('Account-enforced').waitFor();
    await trace.getByText(guardrailArn, { exact: true }).waitFor();
    const row = trace.getByRole('row').filter({ hasText: 'Custom word' });
    assert.match((await row.textContent()) ?? '', /Word filter.*Custom word.*Zanzibar.*BLOCKED/i);
    await screenshot(page, 'playground');
    p.assertNoErrors();
    await p.close();
  });

  it('the playground can act in a member account through switch-role, and switch back', async (ctx) => {
    const { t } = suite;
    const probe = await fetch(`${t.server.url}/console/api/session/switch-role`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const body = (await probe.json()) as { __type?: string };
    if ((body.__type ?? '').includes('UnknownOperation')) {
      ctx.skip('the server has no /console/api/session/switch-role yet');
      return;
    }
    const p = await suite.open();
    const page = p.page;
    await signIn(page, t.credentials);
    await page.goto('/console/playground');
    await page.getByLabel('Act in a member account').selectOption({ label: `team-a (${teamA.accountId})` });
    await page.getByRole('button', { name: 'Switch account' }).click();
    await page.getByLabel('Signed in as').getByText(`account ${teamA.accountId}`).waitFor();
    await page.getByRole('button', { name: 'Switch back to your own account' }).waitFor();
    // As team-a: the organization guardrail applies, the management account's own enforced guardrail does not.
    await page.getByLabel('Message', { exact: true }).fill('hello from the console as team-a');
    await page.getByRole('button', { name: 'Send' }).click();
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText(`Demo model (${DEMO}) here. You said: hello from the console as team-a`).waitFor();
    await page.getByLabel('Message', { exact: true }).fill('zanzibar is fine here');
    await page.getByRole('button', { name: 'Send' }).click();
    await log.getByRole('article', { name: 'Exchange 2' }).getByText('end_turn').waitFor();
    await page.getByRole('button', { name: 'Switch back to your own account' }).click();
    await page.getByLabel('Signed in as').getByText(`account ${t.accountId}`).waitFor();
    await page.getByLabel('Act in a member account').waitFor();
    p.assertNoErrors();
    await p.close();
  });
});
