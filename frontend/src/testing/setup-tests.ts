import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { server } from './server';
import { setSignedIn } from './handlers';

// The charts are loaded lazily (recharts is the largest chunk): on a busy CI machine the import
// alone can outlast the default 1 s that findBy* waits, so wait longer (a timeout, not a weaker check).
configure({ asyncUtilTimeout: 5000 });

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));

afterEach(() => {
  cleanup();
  server.resetHandlers();
  setSignedIn(true);
  vi.useRealTimers();
  window.history.replaceState(null, '', '/');
});

afterAll(() => server.close());

// recharts' responsive charts observe their container; jsdom has no layout, so give them a no-op.
class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver;
