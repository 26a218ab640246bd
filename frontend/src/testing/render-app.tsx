import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '@/app/app';

/** Renders the whole app (providers, router, a fresh SWR cache) at `path`, like a page load. */
export function renderApp(path = '/', options: { userEvent?: Parameters<typeof userEvent.setup>[0] } = {}) {
  window.history.replaceState(null, '', path);
  const user = userEvent.setup(options.userEvent);
  return { user, ...render(<App />) };
}
