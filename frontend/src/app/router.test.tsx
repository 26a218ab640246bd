import { act, screen, waitFor } from '@testing-library/react';
import { navigate } from '@/lib/router';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { server } from '@/testing/server';
import { apiError, setSignedIn } from '@/testing/handlers';
import { renderApp } from '@/testing/render-app';
import { sessionFixture } from '@/testing/fixtures';

const forbidden = () => apiError(403, 'forbidden', 'role may not view metrics');

describe('routes and access', () => {
  it('redirects / to the dashboard', async () => {
    renderApp('/');
    expect(await screen.findByRole('heading', { level: 1, name: 'System health' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/admin/dashboard');
  });

  it('sends a signed-out visitor to /login', async () => {
    server.use(http.get('*/api/admin/auth/me', () => apiError(401, 'unauthorized', 'not signed in')));
    renderApp('/admin/dashboard');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/login');
  });

  it('shows "not authorized" to a content manager, not the metrics the API refused', async () => {
    server.use(
      http.get('*/api/admin/auth/me', () => HttpResponse.json(sessionFixture('CONTENT_MANAGER'))),
      http.get('*/api/admin/metrics/*', forbidden),
    );
    renderApp('/admin/dashboard');
    const heading = await screen.findByRole('heading', { name: 'Not authorized' });
    expect(heading.closest('section')).toHaveTextContent(
      'System monitoring is available to the System monitor and Super admin roles only.',
    );
    expect(screen.getByText(/signed in as monitor@example.com \(content manager\)/)).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'System health' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Log out' })).toBeInTheDocument();
  });

  it('asks for the metrics while the session check is still on its way', async () => {
    // /auth/me answers only once every metrics request has arrived: a dashboard that waited
    // for the session before asking for its data would never get either.
    const metrics = ['current', 'sessions', 'errors', 'external-services'];
    const asked = new Set<string>();
    let everyMetricAsked: () => void = () => {};
    const allAsked = new Promise<void>((resolve) => (everyMetricAsked = resolve));
    server.use(
      http.get('*/api/admin/auth/me', async () => {
        await allAsked;
        return HttpResponse.json(sessionFixture());
      }),
      ...metrics.map((name) =>
        // Returning nothing lets the default handler answer.
        http.get(`*/api/admin/metrics/${name}`, () => {
          asked.add(name);
          if (asked.size === metrics.length) everyMetricAsked();
        }),
      ),
    );
    renderApp('/admin/dashboard');
    expect(await screen.findByTestId('active-sessions-value')).toHaveTextContent('42');
    expect([...asked].sort()).toEqual([...metrics].sort());
  });

  it('shows "not authorized" when the API answers 403, not a broken dashboard', async () => {
    server.use(http.get('*/api/admin/metrics/*', forbidden));
    renderApp('/admin/dashboard');
    expect(await screen.findByRole('heading', { name: 'Not authorized' })).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Active sessions' })).not.toBeInTheDocument();
  });

  it('logs out and returns to /login', async () => {
    let loggedOut = false;
    server.use(
      http.post('*/api/admin/auth/logout', ({ request }) => {
        // Like the server: JSON only.
        if (request.headers.get('Content-Type') !== 'application/json') {
          return apiError(415, 'unsupported_media_type', 'JSON only');
        }
        loggedOut = true;
        setSignedIn(false);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { user } = renderApp('/admin/dashboard');
    await user.click(await screen.findByRole('button', { name: 'Log out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(loggedOut).toBe(true);
    expect(window.location.pathname).toBe('/login');
  });

  it('forgets the numbers of the session that logged out', async () => {
    const { user } = renderApp('/admin/dashboard');
    expect(await screen.findByTestId('active-sessions-value')).toHaveTextContent('42');
    await user.click(screen.getByRole('button', { name: 'Log out' }));
    await screen.findByRole('heading', { name: 'Sign in' });

    // The next session's first answer is still on its way: nothing from before may stand in for it.
    server.use(http.get('*/api/admin/metrics/current', () => new Promise<never>(() => {})));
    await user.type(screen.getByLabelText('Email'), 'monitor@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('region', { name: 'Active sessions' })).toHaveAttribute('aria-busy', 'true');
    expect(screen.queryByTestId('active-sessions-value')).not.toBeInTheDocument();
  });

  it('offers a retry when the session check fails for another reason', async () => {
    server.use(http.get('*/api/admin/auth/me', () => apiError(503, 'unavailable', 'database unreachable')));
    renderApp('/admin/dashboard');
    expect(
      await screen.findByRole('heading', { name: 'Cannot check your session' }, { timeout: 3000 }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('shows a not-found page for unknown paths', async () => {
    renderApp('/nope');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to the dashboard' })).toHaveAttribute('href', '/admin/dashboard');
  });
});

describe('focus after navigation', () => {
  it('moves focus to the dashboard heading after signing in, and announces the page', async () => {
    setSignedIn(false);
    const { user } = renderApp('/login');
    await user.type(screen.getByLabelText('Email'), 'm@x.io');
    await user.type(screen.getByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const heading = await screen.findByRole('heading', { level: 1, name: 'System health' });
    await waitFor(() => expect(heading).toHaveFocus());
    expect(screen.getByText('System monitoring · Pulse')).toBeInTheDocument();
  });

  it('moves focus to the sign-in heading after logging out', async () => {
    const { user } = renderApp('/admin/dashboard');
    await user.click(await screen.findByRole('button', { name: 'Log out' }));

    const heading = await screen.findByRole('heading', { level: 1, name: 'Sign in' });
    await waitFor(() => expect(heading).toHaveFocus());
    expect(screen.getByText('Sign in · Pulse')).toBeInTheDocument();
  });

  it('moves focus to the main region while the next page is still checking the session', async () => {
    // A slow server: the session check has not answered when the visitor goes on to the dashboard.
    server.use(http.get('*/api/admin/auth/me', () => new Promise<never>(() => {})));
    const { user } = renderApp('/login');
    await user.type(screen.getByLabelText('Email'), 'm@x.io');
    act(() => navigate('/admin/dashboard'));

    expect(await screen.findByRole('heading', { name: 'Checking your session…' })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole('main')).toHaveFocus());
  });

  it('leaves focus alone on the first load, redirects included', async () => {
    renderApp('/');
    await screen.findByRole('heading', { level: 1, name: 'System health' });
    expect(window.location.pathname).toBe('/admin/dashboard');
    expect(document.body).toHaveFocus();
    expect(screen.queryByText('System monitoring · Pulse')).not.toBeInTheDocument();
  });

  it('leaves focus alone when a signed-out first visit is sent to /login', async () => {
    setSignedIn(false);
    renderApp('/admin/dashboard');
    await screen.findByRole('heading', { level: 1, name: 'Sign in' });
    expect(window.location.pathname).toBe('/login');
    expect(document.body).toHaveFocus();
  });
});
