import styles from './dashboard.module.css';

/** What a chart shows when there is nothing to draw: a sentence, never an empty axis. */
export function ChartEmptyState({ message }: { message: string }) {
  return <p className={styles.chartEmpty}>{message}</p>;
}
