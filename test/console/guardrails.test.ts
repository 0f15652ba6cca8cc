/** The Guardrails pages in a real browser: list, create (with validation), edit, publish, compare, test, delete. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateGuardrailCommand, GetGuardrailCommand } from '@aws-sdk/client-bedrock';
import { consoleSuite, screenshot, signIn, skipWithoutBrowser } from '../helpers/browser.ts';

/** The browser logs every refused call ("Failed to load resource: … 400 (Bad Request)"); the tests expect those. */
const REFUSED = /Failed to load resource: the server responded with a status of 4\d\d/;

describe('console: guardrails', { skip: skipWithoutBrowser() }, () => {
  const suite = consoleSuite();
  let guardrailId = '';

  it('validates like the API, shows the server’s refusal, and creates a guardrail with a filter, a topic, a word, masked e-mail and a regex', async () => {
    const { t } = suite;
    const p = await suite.open();
    const page = p.page;
    await signIn(page, t.credentials);
    await page.getByRole('heading', { name: 'Guardrails', level: 1 }).waitFor();
    // The demo organization's guardrail is listed with its published version.
    const demoRow = page.getByRole('row', { name: /parapet-demo-baseline/ });
    await demoRow.getByText('Version 1').waitFor();
    await page.getByRole('button', { name: 'Create guardrail' }).click();
    await page.waitForURL(/\/console\/guardrails\/new$/);

    // An empty name is stopped in the browser, next to the field; nothing is sent.
    const name = page.getByLabel('Name', { exact: true });
    await name.fill('');
    await page.getByRole('button', { name: 'Create guardrail' }).click();
    await page.getByText('Name is required.').waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    assert.equal(await name.evaluate((el) => el === el.ownerDocument.activeElement), true, 'the first invalid field has the focus');
    await name.fill('support bot');
    await page.getByText('Name may contain only letters, digits, hyphens (-) and underscores (_).').waitFor();
    await name.fill('support-bot');
    await page.getByLabel('Description', { exact: true }).fill('Customer support assistant');
    // The form's section links jump within the page (the browser fires popstate for them); the form stays as filled.
    await page.getByRole('navigation', { name: 'Form sections' }).getByRole('link', { name: 'Denied topics' }).click();
    await page.waitForURL(/#gr-topics$/);
    assert.equal(await name.inputValue(), 'support-bot');

    await page.getByLabel('Use HATE filter').check();
    await page.getByLabel('HATE input strength').selectOption('MEDIUM');
    await page.getByRole('button', { name: 'Add denied topic' }).click();
    const topic = page.getByRole('group', { name: 'Denied topic 1' });
    await topic.getByLabel('Topic name').fill('Investment advice');
    await topic.getByLabel('Definition').fill('Recommendations about specific stocks, funds or other investments.');
    await topic.getByLabel('Sample phrases').fill('Which stock should I buy?\nIs now a good time to buy bonds?');
    await page.getByLabel('Add words or phrases').fill('Globex');
    await page.getByRole('button', { name: 'Add words' }).click();
    await page.getByRole('row', { name: /Globex/ }).waitFor();
    await page.getByLabel('EMAIL action').selectOption('ANONYMIZE');
    await page.getByRole('button', { name: 'Add regex pattern' }).click();
    const regex = page.getByRole('group', { name: 'Regex 1' });
    await regex.getByLabel('Regex name').fill('order-id');
    // A back-reference passes the browser's checks; the server's RE2 engine refuses it, in its own words.
    await regex.getByLabel('Pattern').fill('ORD-(\\d+)-\\1');
    await regex.getByLabel('Regex action').selectOption('ANONYMIZE');
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'guardrail-edit');
    await page.getByRole('button', { name: 'Create guardrail' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'ValidationException' });
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /regex 'order-id' cannot be used/);

    await regex.getByLabel('Pattern').fill('ORD-\\d{6}');
    await page.getByRole('button', { name: 'Create guardrail' }).click();
    await page.getByRole('heading', { name: 'support-bot', level: 1 }).waitFor();
    await page.getByText('Guardrail support-bot was created (DRAFT).').waitFor();
    guardrailId = /\/guardrails\/([a-z0-9]+)$/.exec(page.url())?.[1] ?? '';
    assert.ok(guardrailId, page.url());

    const g = await t.bedrock().send(new GetGuardrailCommand({ guardrailIdentifier: guardrailId }));
    assert.equal(g.description, 'Customer support assistant');
    assert.deepEqual(
      g.contentPolicy?.filters?.map((f) => [f.type, f.inputStrength, f.outputStrength]),
      [['HATE', 'MEDIUM', 'HIGH']],
    );
    assert.deepEqual(
      g.topicPolicy?.topics?.map((x) => [x.name, x.examples?.length]),
      [['Investment advice', 2]],
    );
    assert.deepEqual(g.wordPolicy?.words?.map((w) => w.text), ['Globex']);
    assert.deepEqual(g.sensitiveInformationPolicy?.piiEntities?.map((x) => [x.type, x.action]), [['EMAIL', 'ANONYMIZE']]);
    assert.deepEqual(g.sensitiveInformationPolicy?.regexes?.map((x) => [x.name, x.pattern, x.action]), [['order-id', 'ORD-\\d{6}', 'ANONYMIZE']]);
    // The detail page shows the ARN in a copyable <code> and summarises each policy.
    assert.equal(await page.locator('code.gr-arn').textContent(), g.guardrailArn);
    await page.getByRole('region', { name: 'Denied topics' }).getByText('Investment advice').waitFor();
    await page.getByRole('region', { name: 'Sensitive information' }).getByText('ORD-\\d{6}').waitFor();
    p.assertNoErrors(REFUSED);
    await p.close();
  });

  it('edits the DRAFT, publishes version 1, and compares it with a later DRAFT', async () => {
    const { t } = suite;
    const p = await suite.open();
    const page = p.page;
    await signIn(page, t.credentials);
    await page.goto(`/console/guardrails/${guardrailId}`);
    await page.getByRole('link', { name: 'Edit DRAFT' }).click();
    await page.waitForURL(/\/edit$/);
    // The form loads the DRAFT as it is.
    assert.equal(await page.getByLabel('HATE input strength').inputValue(), 'MEDIUM');
    assert.equal(await page.getByLabel('EMAIL action').inputValue(), 'ANONYMIZE');
    await page.getByLabel('Description', { exact: true }).fill('Support assistant rules');
    await page.getByRole('button', { name: 'Save DRAFT' }).click();
    await page.getByText('The DRAFT of support-bot was saved.').waitFor();
    await page.locator('.page-header').getByText('Support assistant rules').waitFor();

    await page.getByLabel('Version description (optional)').fill('first release');
    await page.getByRole('button', { name: 'Publish version' }).click();
    await page.getByText('Published version 1.').waitFor();
    await page.getByRole('row', { name: /first release/ }).getByRole('rowheader', { name: '1' }).waitFor();

    // Another edit, so that DRAFT and version 1 differ.
    await page.getByRole('link', { name: 'Edit DRAFT' }).click();
    await page.getByLabel('HATE input strength').selectOption('HIGH');
    await page.getByLabel('Add words or phrases').fill('Initech');
    await page.getByRole('button', { name: 'Add words' }).click();
    await page.getByRole('button', { name: 'Save DRAFT' }).click();
    await page.getByText('The DRAFT of support-bot was saved.').waitFor();
    await page.getByRole('row', { name: /first release/ }).waitFor();

    await page.getByRole('link', { name: 'Compare versions' }).click();
    await page.waitForURL(/\/compare\?a=DRAFT&b=1$/);
    await page.getByText(/fields differ between DRAFT and Version 1/).waitFor();
    const hate = page.locator('tr.gr-changed').filter({ hasText: 'HATE input strength' });
    await hate.waitFor();
    assert.deepEqual(await hate.locator('td').allTextContents(), ['HIGH', 'MEDIUM']);
    await page.locator('tr.gr-changed').filter({ hasText: 'Word “Initech”' }).waitFor();
    assert.equal(await page.locator('tr.gr-changed').filter({ hasText: 'EMAIL' }).count(), 0, 'unchanged fields are not highlighted');
    assert.equal(await page.locator('tr').filter({ hasText: 'EMAIL' }).count(), 1);
    await screenshot(page, 'guardrail-compare');

    await page.getByLabel('Version B').selectOption('DRAFT');
    await page.getByText('DRAFT and DRAFT are identical.').waitFor();
    assert.match(page.url(), /a=DRAFT&b=DRAFT$/);
    p.assertNoErrors();
    await p.close();
  });

  it('the test panel runs ApplyGuardrail and marks the e-mail and the word where they are', async () => {
    const { t } = suite;
    const p = await suite.open();
    const page = p.page;
    await signIn(page, t.credentials);
    await page.goto(`/console/guardrails/${guardrailId}`);
    await page.getByRole('link', { name: 'Test guardrail' }).click();
    await page.waitForURL(/\/test$/);
    await page.getByLabel('Text to check').fill('Email me at jane@example.com about Globex');
    await page.getByLabel('Source').selectOption('INPUT');
    await page.getByLabel('Version').selectOption('DRAFT');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByTestId('apply-action').filter({ hasText: 'GUARDRAIL_INTERVENED' }).waitFor();
    await page.getByText('Guardrail blocked.').waitFor();
    const input = page.getByRole('group', { name: 'Input with findings' });
    assert.deepEqual(await input.locator('mark.finding-mask').allTextContents(), ['jane@example.com']);
    assert.deepEqual(await input.locator('mark.finding-block').allTextContents(), ['Globex']);
    assert.equal(await input.textContent(), 'Email me at jane@example.com about Globex');
    // The word blocks, so the output is the blocked input message.
    assert.equal(await page.getByRole('group', { name: 'Output' }).textContent(), "Sorry, I can't help with that request.");
    const findings = page.getByRole('table', { name: 'Findings' });
    await findings.getByRole('row', { name: /EMAIL.*jane@example\.com.*ANONYMIZED/ }).waitFor();
    await findings.getByRole('row', { name: /Custom word.*Globex.*BLOCKED/ }).waitFor();
    await screenshot(page, 'guardrail-test-panel');

    // Version 1 only masks the e-mail: the output is the masked text.
    await page.getByLabel('Text to check').fill('Email me at jane@example.com please');
    await page.getByLabel('Version').selectOption('1');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByText('Guardrail masked.').waitFor();
    assert.equal(await page.getByRole('group', { name: 'Output' }).textContent(), 'Email me at {EMAIL} please');
    assert.deepEqual(await input.locator('mark').allTextContents(), ['jane@example.com']);

    // A text with nothing in it passes: action NONE, no output.
    await page.getByLabel('Text to check').fill('What are your opening hours?');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByTestId('apply-action').filter({ hasText: /^NONE$/ }).waitFor();
    assert.equal(await input.locator('mark').count(), 0);
    p.assertNoErrors();
    await p.close();
  });

  it('deletes a guardrail after confirmation; an enforced one is refused with the server’s error', async () => {
    const { t } = suite;
    const created = await t.bedrock().send(
      new CreateGuardrailCommand({ name: 'to-delete', blockedInputMessaging: 'No.', blockedOutputsMessaging: 'No.', wordPolicyConfig: { wordsConfig: [{ text: 'foo' }] } }),
    );
    const p = await suite.open();
    const page = p.page;
    await signIn(page, t.credentials);
    await page.getByRole('link', { name: 'to-delete' }).waitFor();
    await page.getByRole('row', { name: /support-bot/ }).getByText('Version 1').waitFor();
    await screenshot(page, 'guardrails-list');

    // The demo guardrail is enforced on the organization: the server refuses to delete it.
    await page.getByRole('link', { name: 'parapet-demo-baseline' }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Delete parapet-demo-baseline?' });
    await dialog.getByRole('button', { name: 'Delete permanently' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'ResourceInUseException' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Guardrails' }).click();
    await page.getByRole('link', { name: 'to-delete' }).click();
    await page.getByRole('heading', { name: 'to-delete', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alertdialog', { name: 'Delete to-delete?' }).getByRole('button', { name: 'Delete permanently' }).click();
    await page.waitForURL(/\/console\/guardrails$/);
    await page.getByText('Guardrail to-delete was deleted.').waitFor();
    await page.getByRole('link', { name: 'support-bot' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'to-delete' }).count(), 0);
    await assert.rejects(t.bedrock().send(new GetGuardrailCommand({ guardrailIdentifier: created.guardrailId })), { name: 'ResourceNotFoundException' });
    p.assertNoErrors(REFUSED);
    await p.close();
  });
});
