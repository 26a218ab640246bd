import { lazy } from 'react';

// recharts is most of the dashboard's JavaScript. Loading the charts lazily lets the cards
// paint first; preloadCharts() starts the download while the first metrics are in flight.
const loadQualityChart = () => import('./quality-donut-chart');
const loadErrorRateChart = () => import('./error-rate-chart');

export const LazyQualityDonutChart = lazy(() =>
  loadQualityChart().then((module) => ({ default: module.QualityDonutChart })),
);

export const LazyErrorRateChart = lazy(() =>
  loadErrorRateChart().then((module) => ({ default: module.ErrorRateChart })),
);

/** Starts fetching the chart code without rendering anything. */
export function preloadCharts(): void {
  void loadQualityChart().catch(() => undefined);
  void loadErrorRateChart().catch(() => undefined);
}
