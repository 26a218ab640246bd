import { useState, type FormEvent } from 'react';
import { useSWRConfig } from 'swr';
import { Activity } from 'lucide-react';
import { isApiError } from '@/lib/api-client';
import { navigate, Redirect } from '@/lib/router';
import { paths } from '@/config/paths';
import { login } from '../api/login';
import { sessionKey, useSession } from '../api/get-session';
import styles from './login-page.module.css';

function loginErrorMessage(error: unknown): string {
  if (isApiError(error, 401)) return 'Wrong email or password';
  if (isApiError(error, 429)) return 'Too many attempts, try again in a minute';
  if (isApiError(error, 0)) return 'Cannot reach the server. Check your connection and try again.';
  if (isApiError(error)) return `Sign-in failed: ${error.message}`;
  return 'Sign-in failed. Please try again.';
}

/**
 * The /login page: email + password, with a clear message for each way it can fail. An admin
 * who is already signed in (per /me) goes on to the dashboard; the form shows while /me answers.
 */
export function LoginPage() {
  const { mutate } = useSWRConfig();
  const { data: session } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      const session = await login({ email: email.trim(), password });
      // The login answer is the same document /me returns: seed it so the guard needn't ask again.
      await mutate(sessionKey, session, { revalidate: false });
      navigate(paths.dashboard, { replace: true });
    } catch (err) {
      setError(loginErrorMessage(err));
      setSubmitting(false);
    }
  }

  // While signing in, handleSubmit makes the move itself (a navigation that moves focus).
  if (session && !submitting) return <Redirect to={paths.dashboard} />;

  return (
    <main className={styles.page}>
      <div className={styles.panel}>
        <p className={styles.brand}>
          <Activity aria-hidden="true" size={22} /> Pulse
        </p>
        <h1 className={styles.title}>Sign in</h1>
        <p className={styles.lead}>System monitoring for the counseling platform.</p>
        <form className={styles.form} onSubmit={handleSubmit}>
          <div className={styles.field}>
            <label htmlFor="login-email">Email</label>
            <input
              id="login-email"
              name="email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-describedby={error ? 'login-error' : undefined}
            />
          </div>
          <div className={styles.field}>
            <label htmlFor="login-password">Password</label>
            <input
              id="login-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-describedby={error ? 'login-error' : undefined}
            />
          </div>
          {error && (
            <p id="login-error" role="alert" className={styles.error}>
              {error}
            </p>
          )}
          <button type="submit" className="button button--primary" disabled={submitting}>
            {submitting ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
