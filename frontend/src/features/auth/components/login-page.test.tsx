import { screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { server } from '@/testing/server';
import { apiError, setSignedIn } from '@/testing/handlers';
import { renderApp } from '@/testing/render-app';
import { sessionFixture } from '@/testing/fixtures';

async function signIn(email = 'monitor@example.com', password = 'correct horse') {
  const view = renderApp('/login');
  await view.user.type(screen.getByLabelText('Email'), email);
  await view.user.type(screen.getByLabelText('Password'), password);
  await view.user.click(screen.getByRole('button', { name: 'Sign in' }));
  return view;
}

describe('login page', () => {
  beforeEach(() => setSignedIn(false));

  it('signs in and goes to the dashboard', async () => {
    let body: unknown;
    server.use(
      http.post('*/api/admin/auth/login', async ({ request }) => {
        body = await request.json();
        setSignedIn(true);
        return HttpResponse.json(sessionFixture());
      }),
    );
    await signIn();
    expect(await screen.findByRole('heading', { level: 1, name: 'System health' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/admin/dashboard');
    expect(body).toEqual({ email: 'monitor@example.com', password: 'correct horse' });
  });

  it('says "Wrong email or password" on 401 and stays on the page', async () => {
    server.use(http.post('*/api/admin/auth/login', () => apiError(401, 'unauthorized', 'invalid credentials')));
    await signIn('monitor@example.com', 'nope');
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password');
    expect(window.location.pathname).toBe('/login');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  });

  it('asks to wait on 429', async () => {
    server.use(http.post('*/api/admin/auth/login', () => apiError(429, 'rate_limited', 'too many attempts')));
    await signIn();
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many attempts, try again in a minute');
  });

  it('explains when the server cannot be reached', async () => {
    server.use(http.post('*/api/admin/auth/login', () => HttpResponse.error()));
    await signIn();
    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot reach the server');
  });

  it('sends an admin who is already signed in on to the dashboard', async () => {
    setSignedIn(true);
    renderApp('/login');
    expect(await screen.findByRole('heading', { level: 1, name: 'System health' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/admin/dashboard');
    expect(screen.queryByLabelText('Password')).not.toBeInTheDocument();
  });

  it('keeps the form for a visitor who is not signed in', async () => {
    let checks = 0;
    server.use(
      http.get('*/api/admin/auth/me', () => {
        checks += 1;
        return apiError(401, 'unauthorized', 'not signed in');
      }),
    );
    renderApp('/login');
    await waitFor(() => expect(checks).toBe(1));
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toBeInTheDocument();
    expect(window.location.pathname).toBe('/login');
  });
});
