/**
 * Every main console page, checked by axe-core (WCAG 2.1 A and AA rules) in Chromium once its content has loaded.
 * axe runs through the DevTools protocol, so the pages keep their strict Content-Security-Policy.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { ListGuardrailsCommand } from '@aws-sdk/client-bedrock';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, launch, openPage, signIn } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const missing = browserMissing();
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

async function violations(page: Page): Promise<string[]> {
  const found = (await page.evaluate(
    `${AXE}; axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
  )) as AxeViolation[];
  return found.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(', ')}`);
}

describe('console accessibility (axe-core, WCAG 2.1 AA)', { skip: missing }, () => {
  let t: TestServer;
  let browser: Browser;
  let demoId = '';
  before(async () => {
    t = await startTestServer({ demo: true });
    browser = await launch();
    const list = await t.bedrock().send(new ListGuardrailsCommand({}));
    demoId = list.guardrails?.find((g) => g.name === 'parapet-demo-baseline')?.id ?? '';
    assert.ok(demoId, 'the demo organization has its baseline guardrail');
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('the check is live: a planted unlabelled input and image are reported', async () => {
    const page = await browser.newPage();
    await page.setContent('<html lang="en"><title>x</title><main><img src="x.png"><input type="text"></main></html>');
    const found = await violations(page);
    assert.deepEqual(found.map((v) => v.split(' ')[0]), ['image-alt', 'label']);
    await page.close();
  });

  it('the sign-in page', async () => {
    const p = await openPage(browser, t.server.url);
    await p.page.goto('/console/');
    await p.page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.deepEqual(await violations(p.page), []);
    p.assertNoErrors();
    await p.close();
  });

  it('every signed-in page', async () => {
    const p = await openPage(browser, t.server.url);
    await signIn(p.page, t.credentials);
    const pages: Array<[string, string]> = [
      ['/guardrails', 'Guardrails'],
      ['/guardrails/new', 'Create guardrail'],
      [`/guardrails/${demoId}`, 'parapet-demo-baseline'],
      [`/guardrails/${demoId}/test`, 'Test parapet-demo-baseline'],
      [`/guardrails/${demoId}/compare?a=DRAFT&b=1`, 'Compare'],
      ['/safeguards', 'Cross-account safeguards'],
      ['/safeguards/organization/new', 'organization'],
      ['/organization', 'Organization'],
      ['/audit', 'Audit trail'],
      ['/monitoring', 'Monitoring'],
      ['/playground', 'Playground'],
    ];
    const problems: string[] = [];
    for (const [path, heading] of pages) {
      await p.page.goto(`/console${path}`);
      await p.page.getByRole('heading', { level: 1, name: new RegExp(heading, 'i') }).first().waitFor();
      // Let the page's own loads settle (tables, pickers) before judging it.
      await p.page.waitForLoadState('networkidle');
      for (const v of await violations(p.page)) problems.push(`${path}: ${v}`);
    }
    assert.deepEqual(problems, []);
    // A guardrail without a resource policy answers 404 to GetResourcePolicy, which the browser logs.
    p.assertNoErrors(/404 \(Not Found\)/);
    await p.close();
  });
});
