// The charts' default heights, apart from the chart modules so that the placeholders that stand
// in for them (lazy-charts.tsx, the cards' skeletons) are the same size without loading recharts.

export const ERROR_RATE_CHART_HEIGHT = 260;
export const QUALITY_CHART_HEIGHT = 220;
