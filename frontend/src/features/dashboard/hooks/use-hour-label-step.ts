import { useSyncExternalStore } from 'react';

// Hours skipped between labels on the error chart's time axis, by how wide the screen (and so
// that full-width chart) is. A fixed step rather than recharts' "preserveStartEnd", which measures
// every label in the DOM to see which fit: that was the largest single cost of drawing the chart.
const WIDE = 1;
const NARROW = 3;
const steps = [
  { query: '(min-width: 60rem)', step: WIDE },
  { query: '(min-width: 40rem)', step: 2 },
];

function currentStep(): number {
  if (typeof window.matchMedia !== 'function') return WIDE;
  return steps.find((s) => window.matchMedia(s.query).matches)?.step ?? NARROW;
}

function subscribeToWidth(onChange: () => void): () => void {
  if (typeof window.matchMedia !== 'function') return () => {};
  const lists = steps.map((s) => window.matchMedia(s.query));
  lists.forEach((list) => list.addEventListener('change', onChange));
  return () => lists.forEach((list) => list.removeEventListener('change', onChange));
}

/** The error chart's label step for the current screen width, following it as it changes. */
export function useHourLabelStep(): number {
  return useSyncExternalStore(subscribeToWidth, currentStep);
}
