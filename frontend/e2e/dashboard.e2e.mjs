// Browser check of the real thing: log in, wait for the dashboard's numbers and both charts,
// save a full-page screenshot at 1440 px; then, signed in, open /login on a 390 px phone
// viewport (it must lead on to the dashboard), check the phone layout and save a second one.
// Plain node + playwright-core driving the system Chromium (no browser download).
// Env: BASE_URL, EMAIL, PASSWORD, SCREENSHOT, SCREENSHOT_390, CHROMIUM_PATH, E2E_TIMEOUT_MS,
// ALLOW_EMPTY_CHARTS=1 (accept a chart's empty state on a fresh database).
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
const phoneScreenshot = process.env.SCREENSHOT_390
  ? resolve(process.cwd(), process.env.SCREENSHOT_390)
  : resolve(here, '..', '..', 'docs', 'dashboard-390.png');
const PHONE = { width: 390, height: 844 };
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

/** Waits for the dashboard's numbers, the pool and services cards, and both charts. */
async function waitForDashboard(page) {
  const notAuthorized = page.getByRole('heading', { name: 'Not authorized' });
  const value = page.getByTestId('active-sessions-value');
  await value.or(notAuthorized).first().waitFor();
  if (await notAuthorized.isVisible()) throw new Error('the account is not a SYSTEM_MONITOR or SUPER_ADMIN');
  const text = (await value.innerText()).trim();
  if (!/^[\d,]+$|^—$/.test(text)) throw new Error(`active sessions shows "${text}"`);
  await page.getByText(/^updated \d\d:\d\d:\d\d$/).waitFor();
  await page.getByRole('region', { name: 'Database connection pool' }).getByText('Active').waitFor();
  await page.getByRole('region', { name: 'External services' }).getByRole('listitem').first().waitFor();
}

/** Saves a full-page screenshot with the pointer off the charts (no tooltip in the picture). */
async function saveScreenshot(page, path) {
  mkdirSync(dirname(path), { recursive: true });
  await page.mouse.move(0, 0);
  await page.screenshot({ path, fullPage: true });
}

/**
 * The phone layout, measured in the page: every problem found, as a sentence (none: []).
 * Nothing may scroll sideways; the live dot keeps its 8 px; each provider's status badge stays
 * on its name's line; stat titles take at most two lines; the error chart's hour ticks are
 * evenly spaced with the newest hour labelled; each threshold label sits above its line.
 */
function phoneLayoutProblems(viewportWidth) {
  const problems = [];
  const rect = (element) => element.getBoundingClientRect();

  const scrollWidth = document.scrollingElement.scrollWidth;
  if (scrollWidth > viewportWidth) problems.push(`the page is ${scrollWidth} px wide, wider than ${viewportWidth} px`);

  const dot = document.querySelector('[data-testid="live-dot"]');
  if (!dot) problems.push('no live dot');
  else if (rect(dot).width < 8 || rect(dot).height < 8) {
    problems.push(`the live dot is ${rect(dot).width}×${rect(dot).height} px, not at least 8×8`);
  }

  const services = [...document.querySelectorAll('li[aria-labelledby^="service-"]')];
  if (services.length === 0) problems.push('no external services listed');
  for (const service of services) {
    const name = service.querySelector('h3');
    const badge = service.querySelector('.badge');
    const offset = Math.abs(rect(badge).top - rect(name).top);
    if (offset > 6) problems.push(`the "${name.textContent}" badge sits ${offset.toFixed(1)} px off its name's line`);
  }

  const statTitles = [...document.querySelectorAll('[aria-labelledby="overview-title"] h2.card__title')];
  if (statTitles.length !== 4) problems.push(`${statTitles.length} stat card titles, expected 4`);
  for (const title of statTitles) {
    const range = document.createRange();
    range.selectNodeContents(title);
    const lineHeight = parseFloat(getComputedStyle(title).lineHeight);
    const lines = Math.round(range.getBoundingClientRect().height / lineHeight);
    if (lines > 2) problems.push(`the stat title "${title.textContent}" takes ${lines} lines`);
  }

  const chart = document.querySelector('[data-testid="error-rate-chart"] svg');
  if (chart) {
    const ticks = [...chart.querySelectorAll('.recharts-xAxis .recharts-cartesian-axis-tick')].map(
      (tick) => rect(tick).left + rect(tick).width / 2,
    );
    const gaps = ticks.slice(1).map((x, i) => x - ticks[i]);
    if (ticks.length < 3) problems.push(`${ticks.length} hour ticks on the error chart`);
    else if (Math.max(...gaps) - Math.min(...gaps) > 2) {
      problems.push(`uneven hour ticks: gaps of ${gaps.map((gap) => gap.toFixed(1)).join(', ')} px`);
    }
    const axis = chart.querySelector('.recharts-xAxis .recharts-cartesian-axis-line');
    if (axis && ticks.length > 0 && Math.abs(rect(axis).right - ticks[ticks.length - 1]) > 2) {
      problems.push('the newest hour has no tick');
    }
    for (const line of chart.querySelectorAll('.recharts-reference-line-line')) {
      const color = line.getAttribute('stroke');
      const label = [...chart.querySelectorAll('text')].find(
        (text) => text.getAttribute('fill') === color && /^(Degraded|Critical) /.test(text.textContent),
      );
      if (!label) problems.push(`no label for the threshold line in ${color}`);
      else if (rect(label).bottom > rect(line).top + 1) problems.push(`"${label.textContent}" is not above its line`);
    }
  }
  return problems;
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
    // The server's Content-Security-Policy must not block anything the pages use.
    const cspViolations = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    page.setDefaultTimeout(timeout);

    await step(`open ${baseUrl}/login`, async () => {
      const response = await page.goto(`${baseUrl}/login`, { waitUntil: 'domcontentloaded' });
      if (!response?.ok()) throw new Error(`HTTP ${response?.status() ?? 'no response'}`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      const description = await page.locator('meta[name="description"]').getAttribute('content');
      if (!description?.trim()) throw new Error('the page has no meta description');
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

    await step('dashboard numbers', () => waitForDashboard(page));

    await step('focus on the dashboard heading after signing in', async () => {
      const focused = await page.evaluate(
        () => `${document.activeElement?.tagName} ${document.activeElement?.textContent}`,
      );
      if (focused !== 'H1 System health') throw new Error(`focus is on ${focused}`);
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

    await step(`screenshot ${screenshot}`, () => saveScreenshot(page, screenshot));

    await page.setViewportSize(PHONE);
    await step(`signed in at ${PHONE.width} px, /login leads to the dashboard`, async () => {
      await page.goto(`${baseUrl}/login`, { waitUntil: 'domcontentloaded' });
      await page.waitForURL('**/admin/dashboard', { timeout });
      await waitForDashboard(page);
    });
    await step(`charts at ${PHONE.width} px`, async () => {
      await waitForChart(page, 'quality-chart', 'No connection quality reports yet.');
      await waitForChart(page, 'error-rate-chart', /No API traffic in the last 24 hours/);
    });
    await step(`phone layout at ${PHONE.width} px`, async () => {
      // The charts re-measure their container after the viewport shrinks (a debounced resize
      // observer): give the layout a moment to settle before judging it.
      await page
        .waitForFunction((width) => document.scrollingElement.scrollWidth <= width, PHONE.width, { timeout: 5000 })
        .catch(() => {});
      const problems = await page.evaluate(phoneLayoutProblems, PHONE.width);
      if (problems.length > 0) throw new Error(problems.join('; '));
    });
    await step(`screenshot ${phoneScreenshot}`, () => saveScreenshot(page, phoneScreenshot));

    await step('Swagger UI runs under its policy', async () => {
      const response = await page.goto(`${baseUrl}/swagger/index.html`, { waitUntil: 'domcontentloaded' });
      if (!response?.ok()) throw new Error(`HTTP ${response?.status() ?? 'no response'}`);
      await page.getByText('/api/admin/auth/login').first().waitFor();
    });

    if (pageErrors.length > 0) throw new E2EFailure(`uncaught errors in the page: ${pageErrors.join('; ')}`);
    if (cspViolations.length > 0) throw new E2EFailure(`blocked by the CSP: ${cspViolations.join('; ')}`);
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
