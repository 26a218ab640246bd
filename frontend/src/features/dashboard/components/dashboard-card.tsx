import { useId, type ReactNode } from 'react';
import styles from './dashboard.module.css';

interface DashboardCardProps {
  title: string;
  icon?: ReactNode;
  hint?: ReactNode;
  /** First load in progress: the card shows placeholders. */
  busy?: boolean;
  wide?: boolean;
  children: ReactNode;
}

/** A titled dashboard panel; a region landmark named by its heading. */
export function DashboardCard({ title, icon, hint, busy = false, wide = false, children }: DashboardCardProps) {
  const titleId = useId();
  return (
    <section className={wide ? `card ${styles.wide}` : 'card'} aria-labelledby={titleId} aria-busy={busy || undefined}>
      <h2 id={titleId} className="card__title">
        {icon}
        {title}
      </h2>
      {hint && <p className="card__hint">{hint}</p>}
      {children}
    </section>
  );
}

/** Placeholder lines while a card's first answer is on its way. */
export function CardSkeleton({ lines = 2, height = '1.25rem' }: { lines?: number; height?: string }) {
  return (
    <div aria-hidden="true" style={{ display: 'grid', gap: '0.5rem', marginTop: '0.5rem' }}>
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="skeleton" style={{ height, width: i === 0 ? '60%' : '85%' }} />
      ))}
    </div>
  );
}

/** The first load failed and there is nothing to show yet. */
export function CardError() {
  return <p className={styles.cardError}>Could not load this yet. Retrying…</p>;
}
