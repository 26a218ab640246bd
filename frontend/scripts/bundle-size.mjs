// Reports the gzip size of the built JavaScript: what the first page load runs (the entry
// script index.html references plus its static imports), what it only preloads (the chart
// chunks: fetched and parsed beside it, run when the charts need them) and everything.
// Fails if the charting code (the recharts chunk) has slipped into what the first load runs.
// Run after `npm run build`.
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const assets = join(dist, 'assets');
const gzip = (file) => gzipSync(readFileSync(join(assets, file)), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

const html = readFileSync(join(dist, 'index.html'), 'utf8');
const entries = [...html.matchAll(/<script[^>]*\ssrc="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]);
const preloads = [...html.matchAll(/<link[^>]*\shref="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]);

// Static imports only: `import{…}from"./x.js"` and `import"./x.js"`, not `import("./x.js")`.
const initial = new Set();
const visit = (file) => {
  if (initial.has(file)) return;
  initial.add(file);
  const code = readFileSync(join(assets, file), 'utf8');
  for (const m of code.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) visit(m[1]);
};
entries.forEach(visit);

const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
const rows = js.map((file) => ({
  file,
  raw: readFileSync(join(assets, file)).length,
  gz: gzip(file),
  initial: initial.has(file),
  preloaded: !initial.has(file) && preloads.includes(file),
}));
rows.sort((a, b) => Number(b.initial) - Number(a.initial) || b.gz - a.gz);

for (const r of rows)
  console.log(
    `${r.initial ? 'initial  ' : r.preloaded ? 'preloaded' : 'lazy     '}  ${kb(r.gz).padStart(9)} gzip  ${kb(r.raw).padStart(9)} raw  ${r.file}`,
  );
const sum = (list) => list.reduce((total, r) => total + r.gz, 0);
console.log(`\ninitial JS: ${kb(sum(rows.filter((r) => r.initial)))} gzip`);
console.log(`preloaded:  ${kb(sum(rows.filter((r) => r.preloaded)))} gzip (fetched on the first load, run when needed)`);
console.log(`total JS:   ${kb(sum(rows))} gzip`);
const css = readdirSync(assets).filter((f) => f.endsWith('.css'));
console.log(`CSS:        ${kb(css.reduce((t, f) => t + gzip(f), 0))} gzip`);

if ([...initial].some((f) => f.startsWith('recharts-'))) {
  console.error('\nThe recharts chunk is run by the first load: the charts are no longer lazy.');
  process.exit(1);
}
