import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { toQualitySlices } from '../utils/quality';
import { QualityDonutChart } from './quality-donut-chart';

describe('QualityDonutChart', () => {
  it('draws one wedge per level with sessions', () => {
    const slices = toQualitySlices({ excellent: 60, good: 30, fair: 10, poor: 0 });
    render(<QualityDonutChart slices={slices} width={240} height={220} />);
    const chart = screen.getByTestId('quality-chart');
    expect(chart).toHaveAccessibleName('Connection quality distribution');
    expect(chart.querySelectorAll('.recharts-pie-sector')).toHaveLength(3);
  });

  it('shows an empty state when every share is 0', () => {
    render(<QualityDonutChart slices={toQualitySlices({ excellent: 0, good: 0, fair: 0, poor: 0 })} width={240} />);
    expect(screen.getByText('No connection quality reports yet.')).toBeInTheDocument();
    expect(screen.queryByTestId('quality-chart')).not.toBeInTheDocument();
  });
});
