import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests format clock times; pin the zone so "HH:MM" assertions hold on any machine.
process.env.TZ = 'UTC';

// The Go server serves the API, Swagger UI and (in production) this SPA from one origin.
const backend = process.env.PULSE_BACKEND_URL ?? 'http://localhost:8080';
const proxy = {
  '/api': { target: backend, changeOrigin: true },
  '/swagger': { target: backend, changeOrigin: true },
};

// The lazily loaded chart code: recharts and the two chart modules (see lazy-charts.tsx).
const chartChunks = /^(recharts|quality-donut-chart|error-rate-chart)$/;

/**
 * Adds <link rel="modulepreload"> for the chart chunks to index.html: the browser fetches and
 * parses them beside the app's own code, while the dashboard still waits for /auth/me and its
 * data, instead of starting once the page has rendered. They are still not run until imported.
 */
function preloadChartChunks(): Plugin {
  return {
    name: 'pulse:preload-chart-chunks',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, { bundle }) {
        return Object.values(bundle ?? {})
          .filter((chunk) => chunk.type === 'chunk' && !chunk.isEntry && chartChunks.test(chunk.name))
          .map((chunk) => ({
            tag: 'link',
            attrs: { rel: 'modulepreload', crossorigin: true, href: `/${chunk.fileName}` },
            injectTo: 'head',
          }));
      },
    },
  };
}

/**
 * Writes a .br and a .gz copy beside each built text file (not the source maps), for the Go
 * server to send to browsers that accept them (internal/httpapi/dashboard.go): compressed
 * once at build time, at the best ratio, instead of on every request. A copy that would not
 * be smaller is left out.
 */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'pulse:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const files = readdirSync(outDir, { recursive: true, encoding: 'utf8' }).filter((f) =>
        /\.(js|css|html|svg|json|txt)$/.test(f),
      );
      for (const file of files) {
        const path = join(outDir, file);
        const source = readFileSync(path);
        const copies = {
          '.br': brotliCompressSync(source, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
              [zlib.BROTLI_PARAM_SIZE_HINT]: source.length,
            },
          }),
          '.gz': gzipSync(source, { level: 9 }),
        };
        for (const [ext, compressed] of Object.entries(copies)) {
          if (compressed.length < source.length) writeFileSync(path + ext, compressed);
        }
      }
    },
  };
}

export default defineConfig({
  base: '/',
  plugins: [react(), preloadChartChunks(), precompress()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: { proxy },
  preview: { proxy },
  build: {
    outDir: 'dist',
    // Maps for error reports, not referenced from the served bundles.
    sourcemap: 'hidden',
    rolldownOptions: {
      output: {
        // Give the lazily loaded charting code (recharts and the packages only it uses) a chunk
        // named after it. Packages shared with the first load (react, use-sync-external-store)
        // must stay out, or the first load would have to fetch this chunk too.
        codeSplitting: {
          includeDependenciesRecursively: false,
          groups: [
            {
              name: 'recharts',
              test: /node_modules[\\/](recharts|@reduxjs|react-redux|redux|redux-thunk|reselect|immer|@standard-schema|clsx|decimal\.js-light|es-toolkit|eventemitter3|react-is|tiny-invariant|victory-vendor|d3-[a-z-]+|internmap)[\\/]|use-sync-external-store[\\/].*with-selector/,
            },
          ],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/testing/setup-tests.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    testTimeout: 20_000,
  },
});
