// The API reference in a real browser: Debian's Chromium, headless, driven by playwright-core, on
// the local server with the real handlers. The page must render from this API alone, list every
// route, and send a working request with the development key.
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomerRow, routes } from '../../contract/routes.ts';
import { createApiKey } from '../../functions/auth/api-keys.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const CHROMIUM = '/usr/bin/chromium';

let t: TestServer;
let browser: Browser;
let page: Page;
/** Every URL the page requested, and everything it reported as an error. */
const requested: string[] = [];
const errors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Debian's Chromium at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium`,
    );
  }
  t = await startTestServer('docs-browser');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // No network beyond this machine: nothing in the background may try to reach one.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage();
  page.on('request', (request) => requested.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${t.server.url}/docs`);
  await page.locator('.opblock').first().waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** The operation block of `method` `path` (Swagger UI keeps the path as written in `data-path`). */
const operation = (method: string, path: string) =>
  page.locator(`.opblock-${method.toLowerCase()}`, {
    has: page.locator(`.opblock-summary-path[data-path="${path}"]`),
  });

describe('the API reference page', () => {
  it('renders from the API alone: every request goes to the server, and nothing fails', async () => {
    const origin = new URL(t.server.url).origin;
    expect(requested.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin)).toEqual([]);
    // The page, its four files and the document.
    expect(requested.map((url) => new URL(url).pathname)).toEqual(
      expect.arrayContaining([
        '/docs',
        '/docs/swagger-ui.css',
        '/docs/swagger-ui-bundle.js',
        '/docs/swagger-initializer.js',
        '/docs/favicon-32x32.png',
        '/openapi.json',
      ]),
    );
    expect(errors).toEqual([]);
  });

  it('lists every route of the route table', async () => {
    const listed = routes.filter((route) => route.path !== '$default');
    expect(listed.length).toBeGreaterThan(20);
    for (const route of listed) {
      expect(await operation(route.method, route.path).count(), route.name).toBeGreaterThanOrEqual(1);
    }
  });

  it('tries POST /customers with the development key: authorised through the dialog, answered 201', async () => {
    // As npm start mints it: for the organisations of the route table's examples.
    const orgs = [...new Set(routes.flatMap((route) => (route.example ? [route.example.org] : [])))];
    expect(orgs).toContain(createCustomerRow.example!.org);
    const { token } = await createApiKey(t.table.store, { orgs, label: 'local development' });

    await page.locator('.auth-wrapper .authorize').click();
    const bearer = page.locator('.auth-container', { has: page.locator('input[aria-label="auth-bearer-value"]') });
    await bearer.locator('input[aria-label="auth-bearer-value"]').fill(token);
    await bearer.locator('button.authorize').click();
    await page.locator('.dialog-ux button.close-modal').click();

    const create = operation(createCustomerRow.method, createCustomerRow.path).first();
    await create.locator('.opblock-summary').click();
    // "Try it out" is on from the start: the body is the row's example, ready to send.
    const body = create.locator('.body-param textarea');
    expect(JSON.parse(await body.inputValue())).toEqual(createCustomerRow.example!.body);
    await create.locator('button.execute').click();
    const status = create.locator('.live-responses-table .response .response-col_status');
    await expect.poll(() => status.first().textContent(), { timeout: 10_000 }).toMatch(/^\s*201/);
    const answer = JSON.parse((await create.locator('.live-responses-table .microlight').first().textContent()) ?? '');
    expect(answer).toMatchObject({ data: { name: 'Acme Corporation', corporation_id: 'corp_123' } });
  });
});
