import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mapLiveKitQuality, reportLiveKitQuality } from './livekit';
import { FakeLiveKitRoom, QUALITY_TOKEN, SESSION_ID, options, pulseQualityEndpoint } from './test-fakes';

const START = Date.UTC(2026, 10, 26, 12, 0, 0);
const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const sent = (requests: { at: number; quality: unknown }[]) => requests.map((r) => [r.at - START, r.quality]);

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('mapLiveKitQuality', () => {
  it.each([
    ['excellent', 'excellent'],
    ['good', 'good'],
    ['poor', 'poor'],
    ['lost', 'poor'],
    ['unknown', null],
    ['', null],
    [undefined, null],
    [3, null],
  ])('maps %s to %s', (level, want) => {
    expect(mapLiveKitQuality(level)).toBe(want);
  });
});

describe('reportLiveKitQuality', () => {
  it("sends the local participant's level at once, with the quality token, as JSON, keepalive and without cookies", async () => {
    const requests = pulseQualityEndpoint();
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(room, options());

    room.localQuality('lost');
    await advance(0);

    expect(requests).toEqual([
      {
        at: START,
        id: SESSION_ID,
        quality: 'poor',
        authorization: `Bearer ${QUALITY_TOKEN}`,
        contentType: 'application/json',
        keepalive: true,
        credentials: 'omit',
      },
    ]);
  });

  it('maps every level it sends', async () => {
    const requests = pulseQualityEndpoint();
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(room, options({ heartbeatMs: 0 }));

    for (const level of ['excellent', 'good', 'poor', 'lost']) {
      room.localQuality(level);
      await advance(10_000);
    }

    expect(requests.map((r) => r.quality)).toEqual(['excellent', 'good', 'poor', 'poor']);
  });

  it("ignores remote participants' levels and unknown", async () => {
    const requests = pulseQualityEndpoint();
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(room, options());

    room.emit('connectionQualityChanged', 'poor', room.remoteParticipant);
    room.emit('connectionQualityChanged', 'poor', undefined);
    room.localQuality('unknown');
    await advance(30_000);

    expect(requests).toEqual([]);
  });

  it('knows the local participant by identity with the room or by isLocal', async () => {
    const requests = pulseQualityEndpoint();
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(room, options({ heartbeatMs: 0 }));

    room.emit('connectionQualityChanged', 'good', { identity: 'student', isLocal: true }); // another wrapper object
    await advance(10_000);
    room.emit('connectionQualityChanged', 'excellent', room.localParticipant);
    await advance(10_000);

    expect(sent(requests)).toEqual([
      [0, 'good'],
      [10_000, 'excellent'],
    ]);
  });

  it('starts from the level the room already knows when attached late', async () => {
    const requests = pulseQualityEndpoint();
    const room = new FakeLiveKitRoom();
    room.localParticipant.connectionQuality = 'good';

    reportLiveKitQuality(room, options());
    await advance(0);

    expect(sent(requests)).toEqual([[0, 'good']]);
  });

  it('stops when the room disconnects: listeners detached, nothing sent after', async () => {
    const requests = pulseQualityEndpoint();
    const room = new FakeLiveKitRoom();
    reportLiveKitQuality(room, options());
    room.localQuality('good');
    room.localQuality('poor'); // waits for the next 10 s slot
    await advance(1_000);

    room.disconnect();
    await advance(5 * 60_000);

    expect(sent(requests)).toEqual([[0, 'good']]);
    expect(room.listenerCount()).toBe(0);
  });
});
