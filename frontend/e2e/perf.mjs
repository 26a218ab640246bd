// Cold-load timing of the signed-in dashboard: from navigation start to both chart <svg>s in the
// page, in headless Chromium, RUNS times (default 5), each in a fresh browser context (empty HTTP
// cache, signed in by cookie), then the median. Also reports, per run, when /auth/me, the first
// metrics request and the recharts chunk started, and the layout shift (CLS) up to the charts.
// Plain node + playwright-core driving the system Chromium. Env: BASE_URL, EMAIL, PASSWORD, RUNS,
// CHROMIUM_PATH, PERF_TIMEOUT_MS, MAX_MEDIAN_MS (exit 1 when the median is above it), TRACE_CPU=1
// (also the main thread's CPU time per load from a Chromium trace, and its longest task: figures
// that a busy machine changes far less than the wall-clock ones).
import { chromium } from 'playwright-core';

const baseUrl = (process.env.BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const email = process.env.EMAIL;
const password = process.env.PASSWORD;
const runs = Number(process.env.RUNS ?? 5);
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const timeout = Number(process.env.PERF_TIMEOUT_MS ?? 30_000);
const maxMedian = process.env.MAX_MEDIAN_MS ? Number(process.env.MAX_MEDIAN_MS) : undefined;
const traceCpu = process.env.TRACE_CPU === '1';

if (!email || !password) {
  console.error('set EMAIL and PASSWORD of a SYSTEM_MONITOR or SUPER_ADMIN admin');
  process.exit(2);
}

/** Signs in over the API and returns the admin_token cookie's value. */
async function signIn() {
  const response = await fetch(`${baseUrl}/api/admin/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`login: HTTP ${response.status}`);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('admin_token='));
  if (!cookie) throw new Error('login: no admin_token cookie in the answer');
  return cookie.slice('admin_token='.length).split(';')[0];
}

// Runs in the page before any of its scripts: notes the time (ms since navigation start) when
// both charts' <svg> are in the document, and sums the layout shifts until then.
const probe = () => {
  const state = { chartsAt: null, cls: 0 };
  window.__perf = state;
  new PerformanceObserver((list) => {
    if (state.chartsAt !== null) return;
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) state.cls += entry.value;
  }).observe({ type: 'layout-shift', buffered: true });
  const check = () => {
    if (state.chartsAt !== null) return;
    if (
      document.querySelector('[data-testid="quality-chart"] svg') &&
      document.querySelector('[data-testid="error-rate-chart"] svg')
    ) {
      state.chartsAt = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
};

async function measure(browser, token) {
  const context = await browser.newContext({ viewport: { width: 1350, height: 940 } });
  try {
    const { hostname } = new URL(baseUrl);
    await context.addCookies([{ name: 'admin_token', value: token, domain: hostname, path: '/' }]);
    await context.addInitScript(probe);
    const page = await context.newPage();
    if (traceCpu) await browser.startTracing(page, { categories: ['disabled-by-default-devtools.timeline'] });
    await page.goto(`${baseUrl}/admin/dashboard`, { waitUntil: 'commit', timeout });
    await page.waitForFunction(() => window.__perf?.chartsAt != null, undefined, { timeout, polling: 50 });
    // Shifts reported in the same frame as the charts are counted once the observer has run.
    await page.waitForTimeout(100);
    const cpu = traceCpu ? mainThreadCpu(JSON.parse((await browser.stopTracing()).toString())) : {};
    const timings = await page.evaluate(() => {
      const resources = performance.getEntriesByType('resource');
      const started = (test) => {
        const entry = resources.find((e) => test(e.name));
        return entry ? Math.round(entry.startTime) : null;
      };
      const ended = (test) => {
        const ends = resources.filter((e) => test(e.name)).map((e) => e.responseEnd);
        return ends.length ? Math.round(Math.max(...ends)) : null;
      };
      const isMetrics = (u) => /\/api\/admin\/metrics\/(sessions|errors)$/.test(u);
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        charts: Math.round(window.__perf.chartsAt),
        cls: window.__perf.cls,
        html: nav ? Math.round(nav.responseEnd) : null,
        me: started((u) => u.includes('/api/admin/auth/me')),
        metrics: started((u) => u.includes('/api/admin/metrics/')),
        chartData: ended(isMetrics),
        recharts: started((u) => /\/assets\/recharts-[^/]+\.js$/.test(u)),
        rechartsEnd: ended((u) => /\/assets\/recharts-[^/]+\.js$/.test(u)),
      };
    });
    return { ...timings, ...cpu };
  } finally {
    await context.close();
  }
}

/** The renderer main thread's CPU time over the traced load, and its longest task (thread time). */
function mainThreadCpu({ traceEvents }) {
  // The page's renderer: of the renderer main threads (about:blank may have had one of its own),
  // the one that did the most.
  const mains = new Set(
    traceEvents
      .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const byThread = new Map();
  for (const e of traceEvents) {
    const thread = `${e.pid}:${e.tid}`;
    if (e.name !== 'RunTask' || e.ph !== 'X' || !mains.has(thread)) continue;
    byThread.set(thread, [...(byThread.get(thread) ?? []), e.tdur ?? 0]);
  }
  const sum = (list) => list.reduce((total, t) => total + t, 0);
  const tasks = [...byThread.values()].sort((a, b) => sum(b) - sum(a))[0] ?? [];
  const ms = (us) => Math.round(us / 1000);
  return { cpuMs: ms(sum(tasks)), longestTaskMs: ms(Math.max(0, ...tasks)) };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (v) => (v === null ? '    —' : `${String(v).padStart(5)}`);

const token = await signIn();
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const results = [];
try {
  // One unrecorded load warms the server (and the OS file cache), not the browser: every
  // recorded run starts with an empty HTTP cache.
  await measure(browser, token);
  console.log('times in ms after navigation start: when each request started (→ ended)');
  console.log(`run  charts   html    /me  metrics → chart data  recharts → loaded    CLS${traceCpu ? '  CPU  longest task' : ''}`);
  for (let i = 1; i <= runs; i += 1) {
    const r = await measure(browser, token);
    results.push(r);
    console.log(
      `${String(i).padStart(3)}   ${ms(r.charts)}  ${ms(r.html)}  ${ms(r.me)}    ${ms(r.metrics)} → ${ms(r.chartData)}     ${ms(r.recharts)} → ${ms(r.rechartsEnd)}  ${r.cls.toFixed(3)}` +
        (traceCpu ? `  ${ms(r.cpuMs)}  ${ms(r.longestTaskMs)}` : ''),
    );
  }
} finally {
  await browser.close();
}

const chartsMedian = median(results.map((r) => r.charts));
console.log(
  `\nmedian over ${runs} runs: both charts drawn at ${chartsMedian} ms after navigation start; ` +
    `CLS ${median(results.map((r) => r.cls)).toFixed(3)}` +
    (traceCpu
      ? `; main-thread CPU ${median(results.map((r) => r.cpuMs))} ms, longest task ${median(results.map((r) => r.longestTaskMs))} ms`
      : ''),
);
if (maxMedian !== undefined && chartsMedian > maxMedian) {
  console.error(`above the ${maxMedian} ms budget`);
  process.exitCode = 1;
}
