import { memo, startTransition, useEffect, useRef, useState } from 'react';
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

// Drawing a chart is recharts' work in one go: a first render, then the passes its store
// triggers, none of which yields to the browser. Drawn both at once, together with the page's
// data, that was the longest task of the load (total blocking time on phones). So each chart is
// drawn in a task of its own, after the data is on screen, one after the other: a chart's turn
// comes when the one before it has committed (or given up its turn by unmounting).
type Reveal = () => boolean; // false: the chart no longer wants this drawing
const waiting: Reveal[] = [];
let turnTaken = false;

function drawNext(): void {
  const reveal = waiting.shift();
  turnTaken = reveal !== undefined;
  if (reveal) setTimeout(() => startTransition(() => void (reveal() || drawNext())), 0);
}

/** `value` once it is this chart's turn to draw it (undefined: nothing to draw yet); null until its first turn. */
function useDrawnInTurn<T>(value: T | undefined): T | null {
  const [drawn, setDrawn] = useState<T | null>(null);
  // This chart has the turn: its drawing is on its way to the screen.
  const hasTurn = useRef(false);
  const passTurn = () => {
    if (!hasTurn.current) return;
    hasTurn.current = false;
    drawNext();
  };

  useEffect(() => {
    if (value === undefined || Object.is(drawn, value)) return;
    let wanted = true;
    waiting.push(() => {
      if (!wanted) return false;
      hasTurn.current = true;
      setDrawn(() => value);
      return true;
    });
    if (!turnTaken) drawNext();
    return () => {
      wanted = false;
    };
  }, [value, drawn]);
  useEffect(passTurn, [drawn]);
  useEffect(() => passTurn, []);
  return drawn;
}

/** Where a chart will be, at its height. */
export function ChartPlaceholder({ height }: { height: number }) {
  return <span className="skeleton" style={{ height }} aria-hidden="true" />;
}

export const LazyQualityDonutChart = memo(function LazyQualityDonutChart(props: QualityDonutChartProps) {
  const loaded = useCharts();
  const slices = useDrawnInTurn(loaded && props.slices);
  return loaded && slices ? (
    <loaded.QualityDonutChart {...props} slices={slices} />
  ) : (
    <ChartPlaceholder height={props.height ?? QUALITY_CHART_HEIGHT} />
  );
});

export const LazyErrorRateChart = memo(function LazyErrorRateChart(props: ErrorRateChartProps) {
  const loaded = useCharts();
  const points = useDrawnInTurn(loaded && props.points);
  return loaded && points ? (
    <loaded.ErrorRateChart {...props} points={points} />
  ) : (
    <ChartPlaceholder height={props.height ?? ERROR_RATE_CHART_HEIGHT} />
  );
});
