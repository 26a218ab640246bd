// The pacing, retry and failure rules every adapter shares, driven through
// the LiveKit adapter with a fake room and Pulse's endpoint on MSW.
import { HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reportDailyQuality } from './daily';
import { reportLiveKitQuality } from './livekit';
import { PulseQualityError } from './reporter';
import { FakeDailyCall, FakeLiveKitRoom, options, pulseQualityEndpoint } from './test-fakes';

const START = Date.UTC(2026, 10, 26, 12, 0, 0);
const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const advanceTo = (ms: number) => vi.advanceTimersByTimeAsync(START + ms - Date.now());
const sent = (requests: { at: number; quality: unknown }[]) => requests.map((r) => [r.at - START, r.quality]);
const status = (code: number) => new HttpResponse(null, { status: code });

beforeEach(() => {
  vi.useFakeTimers({ now: START });
  vi.spyOn(Math, 'random').mockReturnValue(0); // no jitter: retry times are exact
});
afterEach(() => {
  vi.useRealTimers();
});

describe('pacing', () => {
  it('sends the first sample at once, then at most one per 10 s, the latest of those that came', async () => {
    const requests = pulseQualityEndpoint();
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(room, options({ heartbeatMs: 0 }));

    room.localQuality('excellent');
    await advanceTo(1_000);
    room.localQuality('good');
    await advanceTo(2_000);
    room.localQuality('poor');
    await advanceTo(3_000);
    room.localQuality('good');
    await advanceTo(25_000);
    room.localQuality('poor'); // the 10 s since the last send are over: at once
    await advanceTo(5 * 60_000);

    expect(sent(requests)).toEqual([
      [0, 'excellent'],
      [10_000, 'good'],
      [25_000, 'poor'],
    ]);
  });

  it('re-sends a steady level every minute by default, and after a change a minute after it', async () => {
    const requests = pulseQualityEndpoint();
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(room, options());

    room.localQuality('good');
    await advanceTo(130_000);
    room.localQuality('poor');
    await advanceTo(200_000);

    expect(sent(requests)).toEqual([
      [0, 'good'],
      [60_000, 'good'],
      [120_000, 'good'],
      [130_000, 'poor'],
      [190_000, 'poor'],
    ]);
  });

  it('never re-sends more often than every 10 s, whatever heartbeatMs says', async () => {
    const requests = pulseQualityEndpoint();
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(room, options({ heartbeatMs: 1 }));

    room.localQuality('good');
    await advanceTo(30_000);

    expect(sent(requests)).toEqual([
      [0, 'good'],
      [10_000, 'good'],
      [20_000, 'good'],
      [30_000, 'good'],
    ]);
  });
});

describe('retries', () => {
  it('retries a 5xx after 10 s, doubling up to 60 s, with the newest sample; a success resets the pace', async () => {
    const requests = pulseQualityEndpoint((n) => status(n < 5 ? 503 : 204));
    const onError = vi.fn();
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(room, options({ heartbeatMs: 0, onError }));

    room.localQuality('good');
    await advanceTo(15_000);
    room.localQuality('excellent'); // replaces the failed sample
    await advanceTo(195_000);
    room.localQuality('poor');
    await advanceTo(10 * 60_000);

    expect(sent(requests)).toEqual([
      [0, 'good'],
      [10_000, 'good'],
      [30_000, 'excellent'],
      [70_000, 'excellent'],
      [130_000, 'excellent'],
      [190_000, 'excellent'], // 204
      [200_000, 'poor'], // back to the 10 s pace
    ]);
    expect(onError).toHaveBeenCalledTimes(5);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ name: 'PulseQualityError', status: 503 }));
  });

  it('adds at most a quarter of jitter to a retry', async () => {
    vi.mocked(Math.random).mockReturnValue(0.999);
    const requests = pulseQualityEndpoint((n) => status(n === 0 ? 502 : 204));
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(room, options({ heartbeatMs: 0 }));

    room.localQuality('good');
    await advanceTo(60_000);

    expect(sent(requests)).toEqual([
      [0, 'good'],
      [12_497, 'good'],
    ]);
  });

  it.each([
    ['a network error', () => HttpResponse.error()],
    ['429 Too Many Requests', () => status(429)],
  ])('retries after %s', async (_, fail) => {
    const requests = pulseQualityEndpoint((n) => (n === 0 ? fail() : status(204)));
    const onError = vi.fn();
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(room, options({ heartbeatMs: 0, onError }));

    room.localQuality('poor');
    await advanceTo(60_000);

    expect(sent(requests)).toEqual([
      [0, 'poor'],
      [10_000, 'poor'],
    ]);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('abandons a request unanswered after 15 s and retries it', async () => {
    const requests = pulseQualityEndpoint((n) => (n === 0 ? new Promise<Response>(() => {}) : status(204)));
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(room, options({ heartbeatMs: 0 }));

    room.localQuality('good');
    await advanceTo(60_000);

    expect(sent(requests)).toEqual([
      [0, 'good'],
      [25_000, 'good'],
    ]);
  });

  it('drops a sample Pulse rejects as invalid and goes on with the next', async () => {
    const requests = pulseQualityEndpoint((n) => status(n === 0 ? 422 : 204));
    const onError = vi.fn();
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(room, options({ heartbeatMs: 0, onError }));

    room.localQuality('good');
    await advanceTo(60_000);
    room.localQuality('poor');
    await advanceTo(120_000);

    expect(sent(requests)).toEqual([
      [0, 'good'],
      [60_000, 'poor'],
    ]);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ status: 422 }));
  });
});

describe('stopping', () => {
  it.each([
    [401, 'the token is bad or expired'],
    [409, 'the session has ended'],
    [404, 'there is no such session'],
  ])('stops for good on %i (%s): no more requests, listeners detached', async (code) => {
    const requests = pulseQualityEndpoint(() => status(code));
    const onError = vi.fn();
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(room, options({ onError }));

    room.localQuality('good');
    await advance(0);
    room.localQuality('poor');
    await advanceTo(10 * 60_000);

    expect(sent(requests)).toEqual([[0, 'good']]);
    expect(room.listenerCount()).toBe(0);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(PulseQualityError);
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ status: code });
  });

  it('stop() detaches the listeners and cancels a waiting sample and a retry; calling it again is harmless', async () => {
    const requests = pulseQualityEndpoint((n) => status(n === 0 ? 500 : 204));
    const room = new FakeLiveKitRoom();
    const call = new FakeDailyCall();
    const stopLiveKit = reportLiveKitQuality(room, options());
    const stopDaily = reportDailyQuality(call, options());

    room.localQuality('good'); // 500: a retry is due at 10 s
    call.networkQuality('good'); // 204
    await advance(0);
    call.networkQuality('bad'); // waits for its 10 s slot
    stopLiveKit();
    stopDaily();
    stopDaily();
    await advanceTo(10 * 60_000);

    expect(sent(requests)).toEqual([
      [0, 'good'],
      [0, 'good'],
    ]);
    expect(room.listenerCount()).toBe(0);
    expect(call.listenerCount()).toBe(0);
  });
});

describe('never throws into the call page', () => {
  it('swallows an onError hook that throws', async () => {
    const requests = pulseQualityEndpoint((n) => status(n === 0 ? 503 : 204));
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(
      room,
      options({
        heartbeatMs: 0,
        onError: () => {
          throw new Error('the page hook is broken');
        },
      }),
    );

    expect(() => room.localQuality('good')).not.toThrow();
    await advanceTo(60_000);

    expect(sent(requests)).toEqual([
      [0, 'good'],
      [10_000, 'good'],
    ]);
  });

  it('swallows an event it cannot read', async () => {
    const requests = pulseQualityEndpoint();
    const onError = vi.fn();
    const room = new FakeLiveKitRoom();
    const call = new FakeDailyCall();
    reportLiveKitQuality(room, options({ onError }));
    reportDailyQuality(call, options({ onError }));
    const hostile = {
      get isLocal(): boolean {
        throw new Error('participant torn down');
      },
      get networkState(): string {
        throw new Error('event torn down');
      },
    };

    expect(() => room.emit('connectionQualityChanged', 'good', hostile)).not.toThrow();
    expect(() => call.emit('network-quality-change', hostile)).not.toThrow();
    await advance(30_000);

    expect(requests).toEqual([]);
    expect(onError).toHaveBeenCalledTimes(2);
  });

  it('swallows a fetch that throws (an unusable URL)', async () => {
    const onError = vi.fn();
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(room, options({ url: 'http://[not-a-host', heartbeatMs: 0, onError }));

    expect(() => room.localQuality('good')).not.toThrow();
    await advanceTo(29_000);

    expect(onError).toHaveBeenCalledTimes(2); // the first try and its retry at 10 s (the next is due at 30 s)
    expect(onError).toHaveBeenCalledWith(expect.any(TypeError));
  });

  it.each([
    ['no token', options({ token: '' })],
    ['no session id', options({ sessionId: undefined })],
    ['no url', options({ url: 42 })],
  ])('returns a harmless stop() for bad options (%s) and says why through onError', async (_, opts) => {
    const requests = pulseQualityEndpoint();
    const onError = vi.fn();
    const room = new FakeLiveKitRoom();

    const stop = reportLiveKitQuality(room, { ...opts, onError } as never);
    room.localQuality('good');
    await advance(30_000);

    expect(stop).not.toThrow();
    expect(requests).toEqual([]);
    expect(room.listenerCount()).toBe(0);
    expect(onError).toHaveBeenCalledWith(expect.any(TypeError));
  });

  it('returns a harmless stop() without options at all', () => {
    expect(() => reportLiveKitQuality(new FakeLiveKitRoom(), undefined as never)()).not.toThrow();
    expect(() => reportDailyQuality(new FakeDailyCall(), null as never)()).not.toThrow();
  });

  it('returns a harmless stop() for something that is not a room or call object', () => {
    const onError = vi.fn();
    const broken = {
      on() {
        throw new Error('destroyed');
      },
      off() {
        throw new Error('destroyed');
      },
    };

    for (const target of [null, {}, broken]) {
      expect(() => reportLiveKitQuality(target as never, options({ onError }))()).not.toThrow();
      expect(() => reportDailyQuality(target as never, options({ onError }))()).not.toThrow();
    }
    expect(onError).toHaveBeenCalled();
  });
});
