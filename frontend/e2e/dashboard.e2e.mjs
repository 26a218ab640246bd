// Browser check of the real thing: log in, wait for the dashboard's numbers and both charts,
// save a full-page screenshot. Plain node + playwright-core driving the system Chromium
// (no browser download). Env: BASE_URL, EMAIL, PASSWORD, SCREENSHOT, CHROMIUM_PATH,
// E2E_TIMEOUT_MS, ALLOW_EMPTY_CHARTS=1 (accept a chart's empty state on a fresh database).
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const baseUrl = (process.env.BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const email = process.env.EMAIL;
const password = process.env.PASSWORD;
const screenshot = process.env.SCREENSHOT
  ? resolve(process.cwd(), process.env.SCREENSHOT)
  : resolve(here, '..', '..', 'docs', 'dashboard.png');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const timeout = Number(process.env.E2E_TIMEOUT_MS ?? 30_000);
const allowEmptyCharts = process.env.ALLOW_EMPTY_CHARTS === '1';

class E2EFailure extends Error {}

/** Runs one step; a failure names the step and what was expected. */
async function step(name, action) {
  process.stdout.write(`- ${name} … `);
  try {
    const result = await action();
    console.log('ok');
    return result;
  } catch (error) {
    console.log('FAILED');
    throw new E2EFailure(`${name}: ${error instanceof Error ? error.message.split('\n')[0] : error}`);
  }
}

/** Waits for a chart's <svg>, or (when allowed) for its explicit empty state. */
async function waitForChart(page, testId, emptyText) {
  const svg = page.locator(`[data-testid="${testId}"] svg`).first();
  const empty = page.getByText(emptyText);
  await svg.or(empty).first().waitFor({ state: 'visible', timeout });
  if (await svg.isVisible()) return 'drawn';
  if (allowEmptyCharts) return 'empty state';
  throw new Error(`the chart shows its empty state ("${emptyText}"); seed some data or set ALLOW_EMPTY_CHARTS=1`);
}

async function main() {
  if (!email || !password) throw new E2EFailure('set EMAIL and PASSWORD of a SYSTEM_MONITOR or SUPER_ADMIN admin');

  const browser = await step(`launch ${executablePath}`, () =>
    chromium.launch({
      executablePath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    }),
  );
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(timeout);

    await step(`open ${baseUrl}/login`, async () => {
      const response = await page.goto(`${baseUrl}/login`, { waitUntil: 'domcontentloaded' });
      if (!response?.ok()) throw new Error(`HTTP ${response?.status() ?? 'no response'}`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    });

    await step(`log in as ${email}`, async () => {
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const outcome = await Promise.race([
        page.waitForURL('**/admin/dashboard', { timeout }).then(() => null),
        page
          .getByRole('alert')
          .waitFor({ timeout })
          .then(async () => page.getByRole('alert').first().innerText()),
      ]);
      if (outcome) throw new Error(`the login page says "${outcome}"`);
    });

    await step('dashboard numbers', async () => {
      const notAuthorized = page.getByRole('heading', { name: 'Not authorized' });
      const value = page.getByTestId('active-sessions-value');
      await value.or(notAuthorized).first().waitFor();
      if (await notAuthorized.isVisible()) throw new Error('the account is not a SYSTEM_MONITOR or SUPER_ADMIN');
      const text = (await value.innerText()).trim();
      if (!/^[\d,]+$|^—$/.test(text)) throw new Error(`active sessions shows "${text}"`);
      await page.getByText(/^updated \d\d:\d\d:\d\d$/).waitFor();
      await page.getByRole('region', { name: 'Database connection pool' }).getByText('Active').waitFor();
      await page.getByRole('region', { name: 'External services' }).getByRole('listitem').first().waitFor();
    });

    const pie = await step('connection quality chart', () =>
      waitForChart(page, 'quality-chart', 'No connection quality reports yet.'),
    );
    const line = await step('error rate chart', () =>
      waitForChart(page, 'error-rate-chart', /No API traffic in the last 24 hours/),
    );
    console.log(`  charts: quality ${pie}, error rate ${line}`);

    // A fresh demo opens its first incident about 4.5 minutes in: an empty timeline is a valid answer here.
    const incidents = await step('open incidents and incident timeline', async () => {
      const open = page.getByRole('region', { name: 'Open incidents' });
      await open.getByText(/^No open incidents$|^Open since /).first().waitFor();
      const timeline = page.getByRole('region', { name: 'Incidents, last 7 days' });
      const bars = timeline.getByTestId('incident-timeline');
      await bars.or(timeline.getByText('No incidents in the last 7 days')).first().waitFor();
      return (await bars.isVisible()) ? `${await bars.locator('ul ul > li').count()} incident bars` : 'empty state';
    });
    console.log(`  incidents: ${incidents}`);

    await step(`screenshot ${screenshot}`, async () => {
      mkdirSync(dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
    });

    if (pageErrors.length > 0) throw new E2EFailure(`uncaught errors in the page: ${pageErrors.join('; ')}`);
  } finally {
    await browser.close();
  }
}

try {
  await main();
  console.log('1 passed, 0 failed');
} catch (error) {
  console.error(`\nE2E failed: ${error instanceof E2EFailure ? error.message : (error?.stack ?? error)}`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
}
