import { TriangleAlert } from 'lucide-react';
import { formatHourMinute } from '../utils/format';
import styles from './dashboard.module.css';

interface StaleBannerProps {
  /** When the oldest data on screen was fetched (epoch ms); undefined if unknown. */
  since?: number;
  /** Nothing was ever loaded for some panels, so there is no old data to show. */
  nothingLoaded?: boolean;
}

/** A refresh failed: say so, and say how old the numbers on screen are. */
export function StaleBanner({ since, nothingLoaded = false }: StaleBannerProps) {
  let message: string;
  if (nothingLoaded) message = 'Some metrics could not be loaded — retrying';
  else if (since !== undefined) message = `Stale since ${formatHourMinute(since)} — retrying`;
  else message = 'Showing earlier data — retrying';
  return (
    <p role="alert" className={styles.banner}>
      <TriangleAlert aria-hidden="true" size={18} />
      <span>
        {message}. {!nothingLoaded && 'The numbers below are the last ones the server sent.'}
      </span>
    </p>
  );
}
