import { describe, expect, it } from 'vitest';
import { LIVE_REFRESH_INTERVAL_MS, liveMetricsPolling, METRICS_REFRESH_INTERVAL_MS, metricsPolling } from './polling';

describe('polling rules', () => {
  it('refresh every 30 s, not in hidden tabs, and again on focus', () => {
    expect(METRICS_REFRESH_INTERVAL_MS).toBe(30_000);
    expect(metricsPolling).toMatchObject({
      refreshInterval: METRICS_REFRESH_INTERVAL_MS,
      refreshWhenHidden: false,
      revalidateOnFocus: true,
    });
  });

  it('refresh /current every 5 s under the same rules', () => {
    expect(liveMetricsPolling).toMatchObject({
      refreshInterval: LIVE_REFRESH_INTERVAL_MS,
      refreshWhenHidden: false,
      revalidateOnFocus: true,
    });
    expect(LIVE_REFRESH_INTERVAL_MS).toBe(5_000);
  });
});
