import type { ReactNode } from 'react';
import { ErrorBoundary } from '@/components/error-boundary';
import styles from './dashboard.module.css';

/** Where a lazy chart lands: a box of the chart's height, and a sentence if the code fails to load. */
export function ChartSlot({ children }: { children: ReactNode }) {
  return (
    <div className={styles.chartBox}>
      <ErrorBoundary
        fallback={<p className={styles.cardError}>The chart could not be loaded. Reload the page to try again.</p>}
      >
        {children}
      </ErrorBoundary>
    </div>
  );
}
