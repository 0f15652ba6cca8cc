/**
 * The Cross-account safeguards and Organization pages in a real browser, signed in as the demo organization's
 * management account: the seed walkthrough (cross-account-safeguards.md) end to end — its four pitfalls shown
 * in the form before saving, the one-click resource-policy fix, an organization-level policy on the root, an
 * account-level configuration, and the Organization page's answer to "what is enforced on team-a, and from where".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CreateGuardrailCommand,
  GetResourcePolicyCommand,
  ListEnforcedGuardrailsConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import { ApplyGuardrailCommand } from '@aws-sdk/client-bedrock-runtime';
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  DisablePolicyTypeCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { consoleSuite, screenshot, settled, signIn, skipWithoutBrowser } from '../helpers/browser.ts';

/**
 * The browser logs every refused call ("Failed to load resource: … 404 (Not Found)"): GetResourcePolicy answers
 * 404 for a guardrail without a policy, which is how the page learns there is none.
 */
const NO_POLICY_404 = /Failed to load resource: the server responded with a status of 404/;

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

describe('console: cross-account safeguards and organization', { skip: skipWithoutBrowser() }, () => {
  let guardrailId = '';
  let guardrailArn = '';
  let teamA: { accountId: string; accessKeyId: string; secretAccessKey: string };
  let teamB: { accountId: string; accessKeyId: string; secretAccessKey: string };

  const suite = consoleSuite(async (t) => {
    const member = (name: string) => {
      const a = t.server.credentials.accounts.find((x) => x.name === name);
      assert.ok(a, `the demo organization has ${name}`);
      return a;
    };
    teamA = member('team-a');
    teamB = member('team-b');
    // The seed's prerequisite: a guardrail in the management account (its versions come later, in the browser).
    const g = await t.bedrock().send(
      new CreateGuardrailCommand({
        name: 'cross-account-baseline',
        description: 'Organization baseline for the walkthrough',
        blockedInputMessaging: 'Blocked by the organization baseline.',
        blockedOutputsMessaging: 'Blocked by the organization baseline.',
        wordPolicyConfig: { wordsConfig: [{ text: 'project falcon' }] },
      }),
    );
    guardrailId = g.guardrailId ?? '';
    guardrailArn = g.guardrailArn ?? '';
    // Start with the BEDROCK_POLICY type disabled (this also detaches the demo policy), so the page must enable it.
    const orgs = t.client(OrganizationsClient);
    const root = (await orgs.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    await orgs.send(new DisablePolicyTypeCommand({ RootId: root, PolicyType: 'BEDROCK_POLICY' }));
  });

  it('walks the seed: the four pitfalls appear before saving, each fix works, then an organization policy on the root and an account-level configuration', async () => {
    const { t } = suite;
    const p = await suite.open();
    const page = p.page;
    await signIn(page, t.credentials);
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Cross-account safeguards' }).click();
    await page.waitForURL(/\/console\/safeguards$/);
    const orgSection = page.getByRole('region', { name: 'Organization-level enforcement configurations' });
    const accountSection = page.getByRole('region', { name: 'Account-level enforcement configurations' });
    await orgSection.getByRole('heading', { name: 'Organization-level enforcement configurations', level: 2 }).waitFor();
    await accountSection.getByRole('heading', { name: 'Account-level enforcement configurations', level: 2 }).waitFor();

    // The policy type is off: the page says so and enables it with one button.
    await orgSection.getByText('The BEDROCK_POLICY policy type is not enabled').waitFor();
    // Disabling the type detached the demo organization's policy: it is listed, enforced nowhere.
    await orgSection.getByRole('row', { name: /demo-baseline/ }).getByText('not attached (not enforced)').waitFor();
    await accountSection.getByText('There is no account-level configuration in us-east-1.').waitFor();
    await screenshot(page, 'safeguards');
    await orgSection.getByRole('button', { name: 'Enable BEDROCK_POLICY' }).click();
    await orgSection.getByText('The BEDROCK_POLICY policy type is not enabled').waitFor({ state: 'detached' });
    const orgs = t.client(OrganizationsClient);
    const root = (await orgs.send(new ListRootsCommand({}))).Roots?.[0];
    assert.deepEqual(root?.PolicyTypes?.map((x) => [x.Type, x.Status]), [['BEDROCK_POLICY', 'ENABLED']]);

    // Step 1 of the seed: Organization-level enforcement configurations → Create.
    await orgSection.getByRole('button', { name: 'Create an organization-level configuration' }).click();
    await page.waitForURL(/\/console\/safeguards\/organization\/new$/);
    await page.getByRole('heading', { name: 'Create organization-level configuration' }).waitFor();
    await page.getByLabel('Policy name').fill('baseline-all-accounts');
    await page.getByLabel('Description', { exact: true }).fill('The walkthrough baseline');
    const cfg = page.getByRole('group', { name: 'Configuration 1' });
    await cfg.getByLabel('Guardrail', { exact: true }).selectOption({ label: `cross-account-baseline (${guardrailId})` });

    // Pitfall 1: only a DRAFT exists, and a DRAFT cannot be enforced.
    const draft = cfg.getByRole('alert').filter({ hasText: 'No published version.' });
    await draft.waitFor();
    assert.match(await draft.innerText(), /Only numeric versions can be enforced/);
    assert.equal(await cfg.getByLabel('Version', { exact: true }).inputValue(), 'DRAFT');
    // Pitfall 2: no resource-based policy lets the member accounts apply the guardrail.
    const rp = cfg.getByRole('alert').filter({ hasText: 'Member accounts cannot apply this guardrail.' });
    await rp.waitFor();
    assert.match(await rp.innerText(), /has no resource-based policy/);
    // Pitfall 3: the configuration's Region differs from the guardrail's.
    await cfg.getByLabel('Region', { exact: true }).selectOption('us-west-2');
    const region = cfg.getByRole('alert').filter({ hasText: 'Region mismatch.' });
    await region.waitFor();
    assert.match(await region.innerText(), /The guardrail is in us-east-1, but this configuration applies in us-west-2/);
    // Pitfall 4: Include chosen, but no model listed.
    await cfg.getByRole('radio', { name: /Only the models in Include/ }).check();
    const include = cfg.getByRole('alert').filter({ hasText: 'The Include list is empty.' });
    await include.waitFor();
    await cfg.evaluate((el) => el.scrollIntoView());
    await screenshot(page, 'safeguards-pitfalls');

    // Before any fix, a member account is denied the guardrail (what its enforced calls would hit).
    const runtimeA = t.runtime('us-east-1', teamA);
    const apply = () =>
      runtimeA.send(new ApplyGuardrailCommand({ guardrailIdentifier: guardrailArn, guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'hello' } }] }));

    // Fix 1: publish version 1 from the warning; the picker now holds it.
    await draft.getByRole('button', { name: 'Publish version 1 of cross-account-baseline' }).click();
    await draft.waitFor({ state: 'detached' });
    assert.equal(await cfg.getByLabel('Version', { exact: true }).inputValue(), '1');
    await assert.rejects(apply(), (e: Error) => e.name === 'AccessDeniedException');
    // Fix 2: the one-click resource policy.
    await rp.getByRole('button', { name: 'Let organization members apply this guardrail' }).click();
    await cfg.getByRole('status').filter({ hasText: 'Resource-based policy OK.' }).waitFor();
    const policy = JSON.parse((await t.bedrock().send(new GetResourcePolicyCommand({ resourceArn: guardrailArn }))).resourcePolicy ?? '{}');
    const orgId = (await orgs.send(new DescribeOrganizationCommand({}))).Organization?.Id;
    assert.deepEqual(policy.Statement, [
      {
        Sid: 'AllowOrganizationToApplyGuardrail',
        Effect: 'Allow',
        Principal: '*',
        Action: 'bedrock:ApplyGuardrail',
        Resource: guardrailArn,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': orgId } },
      },
    ]);
    const applied = await apply();
    assert.equal(applied.action, 'NONE', 'team-a may now apply the management account’s guardrail');
    // Fix 3: back to the guardrail's Region.
    await region.getByRole('button', { name: 'Apply this configuration in us-east-1' }).click();
    await region.waitFor({ state: 'detached' });
    assert.equal(await cfg.getByLabel('Region', { exact: true }).inputValue(), 'us-east-1');
    // Fix 4: list the model to guard; and exempt the embedding models.
    await cfg.getByLabel('Add a model to Include').fill('Anthropic.Claude');
    await cfg.getByRole('button', { name: 'Add to Include' }).click();
    await cfg.getByText('model IDs are lowercase').waitFor();
    await cfg.getByLabel('Add a model to Include').fill(MODEL);
    await cfg.getByRole('button', { name: 'Add to Include' }).click();
    await include.waitFor({ state: 'detached' });
    await cfg.getByRole('button', { name: 'Exclude the embedding models' }).click();
    await cfg.getByRole('list', { name: 'Exclude list' }).getByText('amazon.titan-embed-text-v2:0').waitFor();
    await cfg.getByLabel('System prompt').selectOption('SELECTIVE');
    assert.equal(await cfg.getByRole('alert').count(), 0, 'no pitfall is left');

    // Attach to the root and create.
    await page.getByRole('group', { name: 'Attach to' }).getByRole('checkbox', { name: /^Root/ }).check();
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.waitForURL(/\/console\/safeguards$/);
    await page.getByRole('status').filter({ hasText: 'Saved policy baseline-all-accounts' }).waitFor();
    const row = orgSection.getByRole('row', { name: /baseline-all-accounts/ });
    await row.getByText(`${guardrailArn}:1`).waitFor();
    await row.getByText(`Root (${root?.Id})`).waitFor();
    const attached = (await orgs.send(new ListPoliciesForTargetCommand({ TargetId: root?.Id, Filter: 'BEDROCK_POLICY' }))).Policies ?? [];
    assert.deepEqual(attached.map((x) => x.Name), ['baseline-all-accounts']);
    const content = JSON.parse((await orgs.send(new DescribePolicyCommand({ PolicyId: attached[0]?.Id }))).Policy?.Content ?? '{}');
    const baseline = content.bedrock.guardrail_inference['us-east-1'].config_1;
    assert.deepEqual(baseline.identifier, { '@@assign': `${guardrailArn}:1` });
    assert.deepEqual(baseline.selective_content_guarding, { system: { '@@assign': 'selective' }, messages: { '@@assign': 'comprehensive' } });
    assert.deepEqual(baseline.model_enforcement.included_models, { '@@assign': [MODEL] });
    assert.ok(baseline.model_enforcement.excluded_models['@@assign'].includes('amazon.titan-embed-text-v2:0'));

    // Step 2 of the seed: an account-level configuration, same guardrail; the empty Include is refused before sending.
    await accountSection.getByRole('button', { name: 'Create an account-level configuration' }).click();
    await page.waitForURL(/\/console\/safeguards\/account\/new$/);
    await page.getByLabel('Guardrail', { exact: true }).selectOption({ label: `cross-account-baseline (${guardrailId})` });
    await page.getByRole('option', { name: /^1/ }).waitFor({ state: 'attached' });
    assert.equal(await page.getByLabel('Version', { exact: true }).inputValue(), '1');
    await page.getByRole('radio', { name: /Only the models in Include/ }).check();
    await page.getByRole('alert').filter({ hasText: 'the API refuses an empty Include list' }).waitFor();
    await page.getByRole('button', { name: 'Create configuration' }).click();
    await page.getByText('Include needs at least one model id').waitFor();
    assert.equal(page.url().endsWith('/safeguards/account/new'), true, 'nothing was sent');
    await page.getByRole('radio', { name: /All models, except/ }).check();
    await page.getByLabel('Messages').selectOption('SELECTIVE');
    await page.getByRole('button', { name: 'Create configuration' }).click();
    await page.waitForURL(/\/console\/safeguards$/);
    await page.getByRole('status').filter({ hasText: 'Created the account-level configuration' }).waitFor();
    await accountSection.getByRole('cell', { name: guardrailArn }).waitFor();
    const configs = (await t.bedrock().send(new ListEnforcedGuardrailsConfigurationCommand({}))).guardrailsConfig ?? [];
    assert.equal(configs.length, 1);
    assert.equal(configs[0]?.guardrailVersion, '1');
    assert.deepEqual(configs[0]?.selectiveContentGuarding, { system: 'COMPREHENSIVE', messages: 'SELECTIVE' });
    assert.deepEqual(configs[0]?.modelEnforcement, { includedModels: ['ALL'], excludedModels: [] });

    // Editing keeps the configuration id; deleting asks first.
    await accountSection.getByRole('button', { name: 'Edit the account-level configuration' }).click();
    await page.waitForURL(/\/console\/safeguards\/account\/edit$/);
    assert.equal(await page.getByLabel('Messages').inputValue(), 'SELECTIVE');
    await page.getByLabel('Add a model to Exclude').fill('cohere.embed-v4:0');
    await page.getByRole('button', { name: 'Add to Exclude' }).click();
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await page.waitForURL(/\/console\/safeguards$/);
    await page.getByRole('status').filter({ hasText: 'Updated the account-level configuration' }).waitFor();
    const updated = (await t.bedrock().send(new ListEnforcedGuardrailsConfigurationCommand({}))).guardrailsConfig ?? [];
    assert.equal(updated[0]?.configId, configs[0]?.configId);
    assert.deepEqual(updated[0]?.modelEnforcement?.excludedModels, ['cohere.embed-v4:0']);

    p.assertNoErrors(NO_POLICY_404);
    await p.close();
  });

  it('the Organization page shows the tree and that team-a is enforced from the root policy (the verify report)', async () => {
    const { t } = suite;
    const p = await suite.open();
    const page = p.page;
    await signIn(page, t.credentials);
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Organization' }).click();
    await page.waitForURL(/\/console\/organization$/);
    const tree = page.getByRole('list', { name: 'Organization tree' });
    await tree.getByText('OU Engineering').waitFor();
    // The root carries the policy created above.
    await tree.getByRole('link', { name: 'baseline-all-accounts' }).waitFor();
    await tree.getByRole('button', { name: 'team-b' }).waitFor();
    await page.getByLabel('Model ID').fill(MODEL);
    await tree.getByRole('button', { name: 'team-a' }).click();
    assert.equal(await tree.getByRole('button', { name: 'team-a' }).getAttribute('aria-pressed'), 'true');
    const report = page.getByRole('table', { name: 'Guardrails that would apply' });
    const row = report.getByRole('row', { name: new RegExp(guardrailArn) });
    await row.waitFor();
    await row.getByText('Organization policy', { exact: true }).waitFor();
    const rootId = (await t.client(OrganizationsClient).send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    await row.getByText(`'baseline-all-accounts' attached to Root (${rootId})`).waitFor();
    await row.getByText('System: Selective').waitFor();
    await row.getByText('yes').waitFor();
    await page.getByText(`${MODEL} in team-a (${teamA.accountId}), us-east-1`).waitFor();
    await page.getByText('OK', { exact: true }).waitFor();
    await screenshot(page, 'organization');

    // A model outside the Include list: the policy is listed as configured but not applied, and why.
    await page.getByLabel('Model ID').fill('amazon.nova-pro-v1:0');
    await page.getByRole('button', { name: 'Check enforcement' }).click();
    const skipped = page.getByRole('table', { name: 'Configured but not applied to this call' });
    await skipped.getByText('is not in the included models').waitFor();
    await page.getByText('No guardrail would be enforced on this call.').waitFor();

    // The management account: its own account-level configuration applies too.
    await page.getByLabel('Account', { exact: true }).selectOption({ value: t.accountId });
    await page.getByLabel('Model ID').fill(MODEL);
    await page.getByRole('button', { name: 'Check enforcement' }).click();
    const own = page.getByRole('table', { name: 'Guardrails that would apply' }).getByRole('row', { name: new RegExp(guardrailArn) });
    await own.getByText('Account-level configuration', { exact: true }).waitFor();
    await own.getByText('Organization policy', { exact: true }).waitFor();
    p.assertNoErrors();
    await p.close();
  });

  it('the resource-policy editor checks a policy with the server’s rules, inserts the organization statement, saves and deletes', async () => {
    const { t } = suite;
    const p = await suite.open();
    const page = p.page;
    await signIn(page, t.credentials);
    await page.goto('/console/safeguards');
    await page.getByLabel('Guardrail', { exact: true }).selectOption({ label: `cross-account-baseline (${guardrailId})` });
    await page.getByRole('button', { name: 'Edit its resource-based policy' }).click();
    await page.waitForURL(new RegExp(`/console/safeguards/resource-policy/${guardrailId}$`));
    await page.getByRole('status').filter({ hasText: 'Resource-based policy OK.' }).waitFor();
    const editor = page.getByLabel('Policy document (JSON)');
    assert.match(await editor.inputValue(), /AllowOrganizationToApplyGuardrail/);

    // Sharing with everyone is refused in the browser, in the server's words; nothing is sent.
    await editor.fill(
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'bedrock:ApplyGuardrail', Resource: guardrailArn }] }),
    );
    const problems = page.getByRole('list', { name: 'Problems in the policy' });
    await problems.getByText(/without an organization condition would share the guardrail with every AWS account/).waitFor();
    await editor.fill('{"Version": "2012-10-17", "Statement": [');
    await problems.getByRole('listitem').first().waitFor();
    await page.getByRole('button', { name: 'Save policy' }).click();
    assert.match(await editor.getAttribute('aria-invalid') ?? '', /true/);

    // Start over with the organization statement, plus GetGuardrail, and save.
    await editor.fill('');
    await page.getByRole('button', { name: 'Insert the organization statement' }).click();
    const doc = JSON.parse(await editor.inputValue());
    doc.Statement[0].Action = ['bedrock:ApplyGuardrail', 'bedrock:GetGuardrail'];
    await editor.fill(JSON.stringify(doc));
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved the resource-based policy.' }).waitFor();
    const saved = JSON.parse((await t.bedrock().send(new GetResourcePolicyCommand({ resourceArn: guardrailArn }))).resourcePolicy ?? '{}');
    assert.deepEqual(saved.Statement[0].Action, ['bedrock:ApplyGuardrail', 'bedrock:GetGuardrail']);

    // Deleting asks first; afterwards the page shows the pitfall again, with its fix.
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('group', { name: 'Confirm deleting the policy' }).getByRole('button', { name: 'Delete policy' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted the resource-based policy.' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'Member accounts cannot apply this guardrail.' }).waitFor();
    await assert.rejects(t.bedrock().send(new GetResourcePolicyCommand({ resourceArn: guardrailArn })), (e: Error) => e.name === 'ResourceNotFoundException');
    await page.getByRole('button', { name: 'Let organization members apply this guardrail' }).click();
    await page.getByRole('status').filter({ hasText: 'organization members may now apply this guardrail' }).waitFor();
    // Polled from here: a predicate run in the page would need eval, which the console's CSP forbids.
    await settled(() => page.getByLabel('Policy document (JSON)').inputValue(), (v) => v.includes('aws:PrincipalOrgID'), 'the editor shows the organization statement');
    p.assertNoErrors(NO_POLICY_404);
    await p.close();
  });

  it('a member account acts in its own account: the organization section says why it is not its to manage, the account-level form enforces the shared guardrail by ARN', async () => {
    const { t } = suite;
    const p = await suite.open();
    const page = p.page;
    await signIn(page, teamB);
    await page.goto('/console/safeguards');
    const orgSection = page.getByRole('region', { name: 'Organization-level enforcement configurations' });
    await orgSection.getByText('managed from the organization’s management account').waitFor();
    await orgSection.getByRole('alert').waitFor();
    const accountSection = page.getByRole('region', { name: 'Account-level enforcement configurations' });
    await accountSection.getByRole('button', { name: 'Create an account-level configuration' }).click();
    await page.getByLabel('Guardrail', { exact: true }).selectOption({ label: 'Another guardrail (enter its ARN)' });
    // A guardrail of another Region is flagged before saving.
    await page.getByLabel('Guardrail ARN').fill(guardrailArn.replace(':us-east-1:', ':eu-west-1:'));
    await page.getByRole('alert').filter({ hasText: 'Region mismatch.' }).waitFor();
    await page.getByLabel('Guardrail ARN').fill(guardrailArn);
    await page.getByRole('alert').filter({ hasText: 'Region mismatch.' }).waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Another account’s guardrail.' }).waitFor();
    await page.getByLabel('Version', { exact: true }).fill('DRAFT');
    await page.getByRole('alert').filter({ hasText: 'DRAFT cannot be enforced.' }).waitFor();
    await page.getByLabel('Version', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'Create configuration' }).click();
    await page.waitForURL(/\/console\/safeguards$/);
    await accountSection.getByRole('cell', { name: guardrailArn }).waitFor();
    const mine = (await t.bedrock('us-east-1', teamB).send(new ListEnforcedGuardrailsConfigurationCommand({}))).guardrailsConfig ?? [];
    assert.equal(mine[0]?.guardrailArn, guardrailArn);

    // Delete it again (asks first).
    await accountSection.getByRole('button', { name: 'Delete the account-level configuration' }).click();
    await accountSection.getByRole('button', { name: 'Delete configuration' }).click();
    await accountSection.getByText('There is no account-level configuration in us-east-1.').waitFor();
    p.assertNoErrors(/Failed to load resource: the server responded with a status of 403/);
    await p.close();
    // The SDK's view agrees.
    assert.deepEqual((await t.bedrock('us-east-1', teamB).send(new ListEnforcedGuardrailsConfigurationCommand({}))).guardrailsConfig ?? [], []);
  });
});
