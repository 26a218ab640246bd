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
  /**
   * What stands in for the content during the first load: a placeholder of the content's size,
   * so the page does not move when the data arrives. Two lines of text when omitted.
   */
  skeleton?: ReactNode;
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
  skeleton = <SkeletonLines lines={2} />,
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
        {!loading ? (
          children(data)
        ) : error ? (
          <CardError />
        ) : (
          <div aria-hidden="true">{skeleton}</div>
        )}
      </div>
    </section>
  );
}

interface SkeletonLinesProps {
  /** Typical texts, one paragraph each: each placeholder wraps as its text would. */
  texts?: readonly string[];
  /** Without texts: this many one-line placeholders. */
  lines?: number;
  /** The class of the paragraphs the texts will be in (card hints by default). */
  className?: string;
}

/** Placeholder paragraphs, in the style of the ones they stand for. */
export function SkeletonLines({ texts, lines = 1, className = 'card__hint' }: SkeletonLinesProps) {
  const paragraphs = texts ?? Array.from({ length: lines }, () => undefined);
  return paragraphs.map((text, i) => (
    <p key={i} className={className}>
      <SkeletonWords text={text} />
    </p>
  ));
}

/** A placeholder for the words of `text` (a line when omitted), inside the element that will hold them. */
export function SkeletonWords({ text }: { text?: string }) {
  return text ? (
    <span className="skeleton skeleton--words" data-text={text} />
  ) : (
    <span className="skeleton skeleton--text" />
  );
}

/** The first load failed and there is nothing to show yet. */
function CardError() {
  return <p className={styles.cardError}>Could not load this yet. Retrying…</p>;
}
