/**
 * Debian's Chromium driven by playwright-core, for the console's end-to-end tests. `.ci/run` installs the
 * browser when it is missing (`apt-get install -y --no-install-recommends chromium`); playwright never
 * downloads one. Every page records its console errors and uncaught exceptions, and `assertNoErrors`
 * fails the test on any.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from './server.ts';

export const CHROMIUM = process.env.PARAPET_CHROMIUM ?? '/usr/bin/chromium';
/**
 * Another build of the console to test, e.g. a development build, whose React reports its warnings (keys,
 * effects run twice under StrictMode) as console errors, which the tests then fail on.
 */
const CONSOLE_DIR = process.env.PARAPET_CONSOLE_DIR;
export const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install -y --no-install-recommends chromium, or set PARAPET_CHROMIUM)`;
}

/** browserMissing(), said once in the test output when it skips the file's browser suites (pass it to `skip`). */
export function skipWithoutBrowser(): string | undefined {
  const missing = browserMissing();
  if (missing) console.log(`# SKIPPED browser tests: ${missing}`);
  return missing;
}

/** What a browser suite runs against: the demo server and one browser. */
export interface ConsoleSuite {
  t: TestServer;
  browser: Browser;
  /** A fresh browser context on the server (openPage). */
  open(): Promise<ConsolePage>;
}

/**
 * The frame every console browser suite shares: before its tests, a server with the demo organization and a
 * browser (then `setup`, for the suite's own data); after them, both closed. Call it inside `describe`; the
 * tests read `t` and `browser` from what it returns once they run.
 */
export function consoleSuite(setup?: (t: TestServer) => Promise<void>): ConsoleSuite {
  const suite = {} as ConsoleSuite;
  suite.open = () => openPage(suite.browser, suite.t.server.url);
  before(async () => {
    suite.t = await startTestServer({ demo: true, ...(CONSOLE_DIR ? { consoleDir: CONSOLE_DIR } : {}) });
    suite.browser = await launch();
    await setup?.(suite.t);
  });
  after(async () => {
    await suite.browser?.close();
    await suite.t?.stop();
  });
  return suite;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** Console errors and page exceptions seen so far (expected ones can be removed by the test). */
  errors: string[];
  assertNoErrors(allow?: RegExp): void;
  close(): Promise<void>;
}

/** A fresh browser context (its own cookies) on a laptop-sized screen. */
export async function openPage(browser: Browser, baseUrl: string): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 }, baseURL: baseUrl });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
  return {
    page,
    context,
    errors,
    assertNoErrors(allow) {
      const left = allow ? errors.filter((e) => !allow.test(e)) : errors;
      assert.deepEqual(left, [], 'the page logged errors');
    },
    close: () => context.close(),
  };
}

/** Signs in through the form and waits for the signed-in frame. */
export async function signIn(page: Page, creds: { accessKeyId: string; secretAccessKey: string }, region?: string): Promise<void> {
  await page.goto('/console/');
  await page.getByLabel('Access key ID').fill(creds.accessKeyId);
  await page.getByLabel('Secret access key').fill(creds.secretAccessKey);
  if (region) await page.getByLabel('Region', { exact: true }).fill(region);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console sections' }).waitFor();
}

/** Saves a screenshot of the page under docs/screenshots/<name>.png (only when PARAPET_SCREENSHOTS=1). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.PARAPET_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

/** Polls `read` until `ok` holds of its value (the page re-renders after navigation), or fails after 10 s. */
export async function settled<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) assert.fail(`${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
