import { useEffect } from 'react';
import { isApiError } from '@/lib/api-client';
import { NotAuthorized } from '@/components/not-authorized';
import { currentMetricsKey, useCurrentMetrics } from '../api/get-current-metrics';
import { sessionMetricsKey, useSessionMetrics } from '../api/get-session-metrics';
import { errorTrendKey, useErrorTrend } from '../api/get-error-trend';
import { externalServicesKey, useExternalServices } from '../api/get-external-services';
import { useLastUpdated } from '../hooks/use-last-updated';
import { HealthHeader } from './health-header';
import { StaleBanner } from './stale-banner';
import { StatCards } from './stat-cards';
import { ErrorRateCard } from './error-rate-card';
import { QualityCard } from './quality-card';
import { SessionsByCategoryCard } from './sessions-by-category-card';
import { DbPoolCard } from './db-pool-card';
import { ExternalServicesCard } from './external-services-card';
import { preloadCharts } from './lazy-charts';
import styles from './dashboard.module.css';

/** /admin/dashboard: every metrics endpoint, polled, laid out as cards and charts. */
export function DashboardPage() {
  const { updatedAt, record } = useLastUpdated();
  const onSuccess = { onSuccess: record };
  const current = useCurrentMetrics(onSuccess);
  const sessions = useSessionMetrics(onSuccess);
  const errors = useErrorTrend(onSuccess);
  const services = useExternalServices(onSuccess);

  useEffect(preloadCharts, []);

  const queries = [
    { key: currentMetricsKey, ...pick(current) },
    { key: sessionMetricsKey, ...pick(sessions) },
    { key: errorTrendKey, ...pick(errors) },
    { key: externalServicesKey, ...pick(services) },
  ];

  // The API, not the role list in this app, has the last word on access.
  if (queries.some((q) => isApiError(q.error, 403))) return <NotAuthorized />;

  const failing = queries.filter((q) => q.error && !isApiError(q.error, 401));
  const stale = failing.filter((q) => q.hasData);
  const staleTimes = stale.map((q) => updatedAt[q.key]).filter((t): t is number => t !== undefined);
  const lastUpdate = Object.values(updatedAt).reduce<number | undefined>(
    (max, t) => (max === undefined || t > max ? t : max),
    undefined,
  );
  const refreshing = queries.some((q) => q.isValidating && q.hasData);

  return (
    <div className={styles.dashboard}>
      <HealthHeader
        metrics={current.data}
        stale={Boolean(current.error && current.data)}
        updatedAt={lastUpdate}
        refreshing={refreshing}
      />
      {failing.length > 0 && (
        <StaleBanner
          since={staleTimes.length > 0 ? Math.min(...staleTimes) : undefined}
          nothingLoaded={stale.length === 0}
        />
      )}
      <section aria-labelledby="overview-title">
        <h2 id="overview-title" className="sr-only">
          Overview
        </h2>
        <StatCards metrics={current.data} error={current.error} />
      </section>
      <div className={styles.panels}>
        <ErrorRateCard trend={errors.data} error={errors.error} />
        <QualityCard metrics={sessions.data} error={sessions.error} />
        <SessionsByCategoryCard metrics={sessions.data} error={sessions.error} />
        <DbPoolCard metrics={current.data} error={current.error} />
        <ExternalServicesCard services={services.data} error={services.error} />
      </div>
    </div>
  );
}

function pick(query: { data?: unknown; error?: Error; isValidating: boolean }) {
  return { hasData: query.data !== undefined, error: query.error, isValidating: query.isValidating };
}
