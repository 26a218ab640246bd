import { fileURLToPath, URL } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Tests format clock times; pin the zone so "HH:MM" assertions hold on any machine.
process.env.TZ = 'UTC';

// The Go server serves the API, Swagger UI and (in production) this SPA from one origin.
const backend = process.env.PULSE_BACKEND_URL ?? 'http://localhost:8080';
const proxy = {
  '/api': { target: backend, changeOrigin: true },
  '/swagger': { target: backend, changeOrigin: true },
};

export default defineConfig({
  base: '/',
  plugins: [react()],
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
