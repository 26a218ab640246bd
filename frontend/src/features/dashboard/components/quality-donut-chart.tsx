import { Cell, Pie, PieChart, Tooltip } from 'recharts';
import { hasQualityData, toPieData, type QualitySlice } from '../utils/quality';
import { formatPercentValue } from '../utils/format';
import { ChartEmptyState } from './chart-empty-state';
import { QUALITY_CHART_HEIGHT } from './chart-sizes';
import styles from './dashboard.module.css';

export interface QualityDonutChartProps {
  slices: readonly QualitySlice[];
  /** Diameter-bound height in px. */
  height?: number;
  /** Fixed width in px; omitted, the chart follows its container. */
  width?: number;
}

/** Donut of the excellent/good/fair/poor shares; the legend with numbers lives beside it in the card. */
export function QualityDonutChart({ slices, height = QUALITY_CHART_HEIGHT, width }: QualityDonutChartProps) {
  if (!hasQualityData(slices)) {
    return <ChartEmptyState message="No connection quality reports yet." />;
  }
  const data = toPieData(slices);

  return (
    <figure className={styles.figure} data-testid="quality-chart" aria-label="Connection quality distribution">
      <PieChart
        responsive={width === undefined}
        width={width}
        height={height}
        style={width === undefined ? { width: '100%', height } : undefined}
        title="Connection quality distribution"
        desc={data.map((slice) => `${slice.label} ${formatPercentValue(slice.percent)}`).join(', ')}
      >
        <Pie
          data={data}
          dataKey="percent"
          nameKey="label"
          innerRadius="58%"
          outerRadius="92%"
          paddingAngle={data.length > 1 ? 1.5 : 0}
          stroke="#ffffff"
          isAnimationActive={false}
        >
          {data.map((slice) => (
            <Cell key={slice.level} fill={slice.color} />
          ))}
        </Pie>
        <Tooltip formatter={(value) => formatPercentValue(Number(value))} itemStyle={{ color: '#111827' }} />
      </PieChart>
    </figure>
  );
}
