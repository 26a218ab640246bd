import type { ReactNode } from 'react';

interface PageStatusProps {
  title: string;
  message?: string;
  action?: ReactNode;
  /** Something is loading: announce it politely and mark the region busy. */
  busy?: boolean;
}

/** A whole-page message: loading, an error with a way out, nothing to show. */
export function PageStatus({ title, message, action, busy = false }: PageStatusProps) {
  return (
    <section className="page-status" aria-busy={busy || undefined} role={busy ? 'status' : undefined}>
      <h1>{title}</h1>
      {message && <p>{message}</p>}
      {action}
    </section>
  );
}
