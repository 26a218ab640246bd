import { render, screen } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorTrendFixture } from '@/testing/fixtures';
import { toErrorChartPoints, toThresholdLines } from '../utils/error-trend';
import { toQualitySlices } from '../utils/quality';
import { LazyErrorRateChart, LazyQualityDonutChart, preloadCharts } from './lazy-charts';

const slices = toQualitySlices({ excellent: 60, good: 30, fair: 10, poor: 0 });
const trend = errorTrendFixture();
const points = toErrorChartPoints(trend);
const lines = toThresholdLines(trend.thresholds);

function Charts({ quality = true, errorRate = true }: { quality?: boolean; errorRate?: boolean }) {
  return (
    <>
      {quality && <LazyQualityDonutChart slices={slices} width={240} />}
      {errorRate && <LazyErrorRateChart points={points} thresholds={lines} width={640} />}
    </>
  );
}

// The charts are drawn one per task, each waiting for the one before it: a chart that goes
// away must not keep the others waiting.
describe('lazy charts', () => {
  // Loading recharts through Vite's transform takes a while on a busy machine: not what is tested.
  beforeAll(() => preloadCharts(), 30_000);

  it('draws both charts once their code is loaded', async () => {
    render(<Charts />);
    expect(await screen.findByTestId('quality-chart')).toBeInTheDocument();
    expect(await screen.findByTestId('error-rate-chart')).toBeInTheDocument();
  });

  it('draws the other chart when one goes away before its turn', async () => {
    const { rerender } = render(<Charts />);
    rerender(<Charts quality={false} />);
    expect(await screen.findByTestId('error-rate-chart')).toBeInTheDocument();
    expect(screen.queryByTestId('quality-chart')).not.toBeInTheDocument();
  });

  it('draws again after every chart went away before being drawn', async () => {
    const { rerender } = render(<Charts />);
    rerender(<Charts quality={false} errorRate={false} />);
    rerender(<Charts />);
    expect(await screen.findByTestId('quality-chart')).toBeInTheDocument();
    expect(await screen.findByTestId('error-rate-chart')).toBeInTheDocument();
  });
});
