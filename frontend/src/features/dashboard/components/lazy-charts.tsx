import { memo, useEffect, useState } from 'react';
import type { ErrorRateChartProps } from './error-rate-chart';
import type { QualityDonutChartProps } from './quality-donut-chart';
import { ERROR_RATE_CHART_HEIGHT, QUALITY_CHART_HEIGHT } from './chart-sizes';

// recharts is most of the dashboard's JavaScript. Loading the charts lazily lets the cards
// paint first; index.html preloads the chunk (vite.config.ts) so it is usually here before
// the metrics are.
//
// No React.lazy/Suspense: React holds back revealing a suspended boundary's content for up
// to 300 ms after its fallback was shown (to batch reveals), which on a fast load was a
// third of the time to the charts. A module-level promise and state do the same job
// without that wait, and render the chart in the same pass as its data when the code is
// already here. The wrappers are memoized: a poll that brings the same data (SWR keeps its
// identity) re-renders the page but not the charts.

interface Charts {
  QualityDonutChart: (props: QualityDonutChartProps) => React.ReactNode;
  ErrorRateChart: (props: ErrorRateChartProps) => React.ReactNode;
}

let charts: Charts | undefined;
let loading: Promise<Charts> | undefined;

/** Starts fetching the chart code (once) without rendering anything; resolves with the charts. */
export function preloadCharts(): Promise<Charts> {
  loading ??= Promise.all([import('./quality-donut-chart'), import('./error-rate-chart')]).then(
    ([quality, errorRate]) =>
      (charts = { QualityDonutChart: quality.QualityDonutChart, ErrorRateChart: errorRate.ErrorRateChart }),
    (error: unknown) => {
      loading = undefined; // a later mount may try again
      throw error;
    },
  );
  return loading;
}

/** The chart components once their code is here; a failed load is thrown to the nearest error boundary. */
function useCharts(): Charts | undefined {
  const [loaded, setLoaded] = useState(charts);
  const [failure, setFailure] = useState<{ error: unknown }>();
  useEffect(() => {
    if (loaded) return;
    let live = true;
    preloadCharts().then(
      (c) => live && setLoaded(c),
      (error: unknown) => live && setFailure({ error }),
    );
    return () => {
      live = false;
    };
  }, [loaded]);
  if (failure) throw failure.error;
  return loaded;
}

/** Where a chart will be, at its height. */
export function ChartPlaceholder({ height }: { height: number }) {
  return <span className="skeleton" style={{ height }} aria-hidden="true" />;
}

export const LazyQualityDonutChart = memo(function LazyQualityDonutChart(props: QualityDonutChartProps) {
  const loaded = useCharts();
  return loaded ? (
    <loaded.QualityDonutChart {...props} />
  ) : (
    <ChartPlaceholder height={props.height ?? QUALITY_CHART_HEIGHT} />
  );
});

export const LazyErrorRateChart = memo(function LazyErrorRateChart(props: ErrorRateChartProps) {
  const loaded = useCharts();
  return loaded ? (
    <loaded.ErrorRateChart {...props} />
  ) : (
    <ChartPlaceholder height={props.height ?? ERROR_RATE_CHART_HEIGHT} />
  );
});
