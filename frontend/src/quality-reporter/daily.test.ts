import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mapDailyQuality, reportDailyQuality } from './daily';
import { FakeDailyCall, QUALITY_TOKEN, options, pulseQualityEndpoint } from './test-fakes';

const START = Date.UTC(2026, 10, 26, 12, 0, 0);
const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const sent = (requests: { at: number; quality: unknown }[]) => requests.map((r) => [r.at - START, r.quality]);

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('mapDailyQuality', () => {
  it.each([
    ['networkState good', { networkState: 'good' }, 'good'],
    ['networkState good with a score of 90', { networkState: 'good', threshold: 'good', quality: 90 }, 'excellent'],
    ['networkState good with a score of 89', { networkState: 'good', threshold: 'good', quality: 89 }, 'good'],
    ['networkState warning', { networkState: 'warning' }, 'fair'],
    ['networkState low', { networkState: 'low' }, 'fair'],
    ['networkState bad', { networkState: 'bad' }, 'poor'],
    ['networkState unknown', { networkState: 'unknown', threshold: 'good', quality: 100 }, null],
    ['deprecated threshold good, score 95', { threshold: 'good', quality: 95 }, 'excellent'],
    ['deprecated threshold good, score 70', { threshold: 'good', quality: 70 }, 'good'],
    ['deprecated threshold low', { threshold: 'low', quality: 40 }, 'fair'],
    ['deprecated threshold very-low', { threshold: 'very-low', quality: 10 }, 'poor'],
    ['networkState over threshold', { networkState: 'bad', threshold: 'good', quality: 100 }, 'poor'],
    ['an empty event', {}, null],
    ['no event', undefined, null],
    ['a string', 'good', null],
  ])('%s', (_, event, want) => {
    expect(mapDailyQuality(event)).toBe(want);
  });
});

describe('reportDailyQuality', () => {
  it("sends the network-quality-change level with the session's token", async () => {
    const requests = pulseQualityEndpoint();
    const call = new FakeDailyCall();
    reportDailyQuality(call, options({ heartbeatMs: 0 }));

    call.networkQuality('bad', { threshold: 'very-low', quality: 20 });
    await advance(10_000);
    call.networkQuality('warning');
    await advance(10_000);
    call.networkQuality('good', { threshold: 'good', quality: 98 });
    await advance(10_000);
    call.networkQuality('unknown');
    await advance(10_000);

    expect(sent(requests)).toEqual([
      [0, 'poor'],
      [10_000, 'fair'],
      [20_000, 'excellent'],
    ]);
    expect(requests[0]?.authorization).toBe(`Bearer ${QUALITY_TOKEN}`);
  });

  it.each(['left-meeting', 'call-instance-destroyed'])('stops on %s: listeners detached, nothing sent after', async (event) => {
    const requests = pulseQualityEndpoint();
    const call = new FakeDailyCall();
    reportDailyQuality(call, options());
    call.networkQuality('good');
    call.networkQuality('bad'); // waits for the next 10 s slot
    await advance(1_000);

    call.emit(event, { action: event });
    await advance(5 * 60_000);

    expect(sent(requests)).toEqual([[0, 'good']]);
    expect(call.listenerCount()).toBe(0);
  });

  it("starts from Daily's current assessment when attached to a joined call", async () => {
    const requests = pulseQualityEndpoint();
    const call = new FakeDailyCall();
    call.stats = Promise.resolve({ networkState: 'warning', networkStateReasons: ['roundTripTime'], stats: {}, threshold: 'low', quality: 60 });

    reportDailyQuality(call, options());
    await advance(0);

    expect(sent(requests)).toEqual([[0, 'fair']]);
  });

  it('does not read the assessment before the call is joined (Daily answers defaults then)', async () => {
    const requests = pulseQualityEndpoint();
    const call = new FakeDailyCall();
    call.state = 'joining-meeting';
    call.stats = Promise.resolve({ threshold: 'good', quality: 100 });

    reportDailyQuality(call, options());
    await advance(30_000);

    expect(requests).toEqual([]);
  });

  it('lets an event that arrives before the assessment win over it', async () => {
    const requests = pulseQualityEndpoint();
    const call = new FakeDailyCall();
    let answer: (stats: unknown) => void = () => {};
    call.stats = new Promise((resolve) => (answer = resolve));

    reportDailyQuality(call, options({ heartbeatMs: 0 }));
    call.networkQuality('bad');
    answer({ networkState: 'good' });
    await advance(30_000);

    expect(sent(requests)).toEqual([[0, 'poor']]);
  });

  it('keeps reporting when reading the assessment fails', async () => {
    const requests = pulseQualityEndpoint();
    const onError = vi.fn();
    const call = new FakeDailyCall();
    call.stats = Promise.reject(new Error('call instance destroyed'));

    reportDailyQuality(call, options({ onError }));
    await advance(0);
    call.networkQuality('good');
    await advance(0);

    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'call instance destroyed' }));
    expect(sent(requests)).toEqual([[0, 'good']]);
  });
});
