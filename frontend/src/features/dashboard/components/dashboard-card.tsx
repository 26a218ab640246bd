import { useId, type ReactNode } from 'react';
import styles from './dashboard.module.css';

interface DashboardCardProps<T> {
  title: string;
  icon?: ReactNode;
  hint?: ReactNode;
  wide?: boolean;
  /** The card's data; undefined until the first answer arrives. */
  data: T | undefined;
  /** The last request failed: with no data yet the card says so, with data it keeps showing it. */
  error?: Error;
  /** How many placeholder lines stand in for the content during the first load. */
  skeletonLines?: number;
  /** The content, once there is data. */
  children: (data: T) => ReactNode;
}

/**
 * A titled dashboard panel; a region landmark named by its heading. Until its data arrives it shows
 * placeholders (and is aria-busy), or a short error if the first load failed.
 */
export function DashboardCard<T>({
  title,
  icon,
  hint,
  wide = false,
  data,
  error,
  skeletonLines = 2,
  children,
}: DashboardCardProps<T>) {
  const titleId = useId();
  const loading = data === undefined;
  return (
    <section
      className={wide ? `card ${styles.wide}` : 'card'}
      aria-labelledby={titleId}
      aria-busy={(loading && !error) || undefined}
    >
      <h2 id={titleId} className="card__title">
        {icon}
        {title}
      </h2>
      <div className={styles.cardBody}>
        {hint && <p className="card__hint">{hint}</p>}
        {!loading ? children(data) : error ? <CardError /> : <CardSkeleton lines={skeletonLines} />}
      </div>
    </section>
  );
}

/** Placeholder lines while a card's first answer is on its way. */
function CardSkeleton({ lines, height = '1.25rem' }: { lines: number; height?: string }) {
  return (
    <div aria-hidden="true" style={{ display: 'grid', gap: '0.5rem', marginTop: '0.5rem' }}>
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="skeleton" style={{ height, width: i === 0 ? '60%' : '85%' }} />
      ))}
    </div>
  );
}

/** The first load failed and there is nothing to show yet. */
function CardError() {
  return <p className={styles.cardError}>Could not load this yet. Retrying…</p>;
}
