import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { errorTrendFixture } from '@/testing/fixtures';
import { toErrorChartPoints, toThresholdLines } from '../utils/error-trend';
import { ErrorRateChart } from './error-rate-chart';

const trend = errorTrendFixture();
const lines = toThresholdLines(trend.thresholds);

describe('ErrorRateChart', () => {
  it('draws the line and marks each hour that crossed a threshold with a dot of its level', () => {
    render(<ErrorRateChart points={toErrorChartPoints(trend)} thresholds={lines} width={640} height={260} />);
    const chart = screen.getByTestId('error-rate-chart');
    expect(chart.querySelector('svg')).not.toBeNull();

    const dots = screen.getAllByTestId('threshold-crossing');
    expect(dots.map((dot) => dot.getAttribute('data-level'))).toEqual(['degraded', 'critical']);
    expect(dots.map((dot) => dot.textContent)).toEqual(['08:00: degraded, 3.0%', '11:00: critical, 7.2%']);
  });

  it('labels the degraded and critical reference lines', () => {
    render(<ErrorRateChart points={toErrorChartPoints(trend)} thresholds={lines} width={640} height={260} />);
    expect(screen.getByText('Degraded 2.0%')).toBeInTheDocument();
    expect(screen.getByText('Critical 5.0%')).toBeInTheDocument();
  });

  it('puts each threshold label over hours the error line stays below it', () => {
    // The fixture's spikes are the newest hours: both labels start at the oldest.
    const { unmount } = render(
      <ErrorRateChart points={toErrorChartPoints(trend)} thresholds={lines} width={640} height={260} />,
    );
    const x = (name: string) => Number(screen.getByText(name).closest('text')!.getAttribute('x'));
    const plotLeft = x('Degraded 2.0%');
    expect(x('Critical 5.0%')).toBe(plotLeft);
    unmount();

    // A degraded hour among the oldest: that label moves past it, the critical one stays.
    const rates: Record<number, number> = { 2: 0.03 };
    const early = { ...trend, points: trend.points.map((p, i) => ({ ...p, error_rate: rates[i] ?? 0.004 })) };
    render(<ErrorRateChart points={toErrorChartPoints(early)} thresholds={lines} width={640} height={260} />);
    expect(x('Critical 5.0%')).toBe(plotLeft);
    expect(x('Degraded 2.0%')).toBeGreaterThan(plotLeft + 50);
  });

  it('marks nothing when no alert was raised', () => {
    render(
      <ErrorRateChart
        points={toErrorChartPoints({ ...trend, alerts: [] })}
        thresholds={lines}
        width={640}
        height={260}
      />,
    );
    expect(screen.queryAllByTestId('threshold-crossing')).toHaveLength(0);
  });

  it('shows an empty state instead of an empty axis when there was no traffic', () => {
    const quiet = toErrorChartPoints({
      ...trend,
      points: trend.points.map((p) => ({ ...p, requests: 0, errors: 0, error_rate: 0 })),
      alerts: [],
    });
    render(<ErrorRateChart points={quiet} thresholds={lines} width={640} height={260} />);
    expect(screen.getByText(/No API traffic in the last 24 hours/)).toBeInTheDocument();
    expect(screen.queryByTestId('error-rate-chart')).not.toBeInTheDocument();
  });
});
