// Test doubles for the reporter's tests: provider objects that emit the
// providers' real event names through on/off like livekit-client's Room and
// daily-js's call object (both EventEmitters), and a Pulse quality endpoint
// on the MSW server that records what reached it.
import { http, HttpResponse } from 'msw';
import { server } from '../testing/server';

export const PULSE_URL = 'https://pulse.example.test';
export const SESSION_ID = '0b6f3c1e-6a0e-4f3a-9d35-8a2d6f1c2b7a';
export const QUALITY_TOKEN = 'qt_test-session-token';

type Listener = (...args: never[]) => void;

/** A minimal EventEmitter: on/off/emit, with listener counts for detach checks. */
export class FakeEmitter {
  private listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  off(event: string, listener: Listener): this {
    this.listeners.set(event, (this.listeners.get(event) ?? []).filter((l) => l !== listener));
    return this;
  }

  /** Calls the listeners like an EventEmitter does: synchronously, a throw propagating to the emitter. */
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => void)(...args);
  }

  listenerCount(event?: string): number {
    if (event !== undefined) return this.listeners.get(event)?.length ?? 0;
    let n = 0;
    for (const ls of this.listeners.values()) n += ls.length;
    return n;
  }
}

/** A livekit-client Room: RoomEvent.ConnectionQualityChanged = 'connectionQualityChanged', args (quality, participant). */
export class FakeLiveKitRoom extends FakeEmitter {
  localParticipant = { identity: 'student', isLocal: true, connectionQuality: 'unknown' as string };
  remoteParticipant = { identity: 'counselor', isLocal: false, connectionQuality: 'unknown' as string };

  /** The local participant's quality changes, as the SFU announces it. */
  localQuality(quality: string): void {
    this.localParticipant.connectionQuality = quality;
    this.emit('connectionQualityChanged', quality, this.localParticipant);
  }

  disconnect(): void {
    this.emit('disconnected', 1 /* DisconnectReason.CLIENT_INITIATED */);
  }
}

/** A daily-js call object: 'network-quality-change', 'left-meeting', 'call-instance-destroyed'. */
export class FakeDailyCall extends FakeEmitter {
  state = 'joined-meeting';
  stats: Promise<unknown> = new Promise(() => {});

  meetingState(): string {
    return this.state;
  }

  getNetworkStats(): Promise<unknown> {
    return this.stats;
  }

  /** The payload daily-js sends (docs.daily.co, network-quality-change): current and deprecated fields. */
  networkQuality(networkState: string, extra: Record<string, unknown> = {}): void {
    this.emit('network-quality-change', {
      action: 'network-quality-change',
      callClientId: '17430118453690.12992179309705953',
      networkState,
      networkStateReasons: networkState === 'good' ? [] : ['sendPacketLoss'],
      stats: {},
      ...extra,
    });
  }
}

/** What one request to POST /api/sessions/{id}/quality carried. */
export interface QualityRequest {
  at: number;
  id: string;
  quality: unknown;
  authorization: string | null;
  contentType: string | null;
  keepalive: boolean;
  credentials: RequestCredentials;
}

/**
 * Installs Pulse's quality endpoint on the MSW server and returns the
 * requests it receives. `respond` picks each answer (default 204) from the
 * number of the request, starting at 0.
 */
export function pulseQualityEndpoint(respond: (n: number) => Response | Promise<Response> = () => new HttpResponse(null, { status: 204 })) {
  const requests: QualityRequest[] = [];
  server.use(
    http.post(`${PULSE_URL}/api/sessions/:id/quality`, async ({ request, params }) => {
      const body = (await request.json()) as { quality?: unknown };
      requests.push({
        at: Date.now(),
        id: String(params.id),
        quality: body.quality,
        authorization: request.headers.get('Authorization'),
        contentType: request.headers.get('Content-Type'),
        keepalive: request.keepalive,
        credentials: request.credentials,
      });
      return respond(requests.length - 1);
    }),
  );
  return requests;
}

export const options = (extra: object = {}) => ({ url: PULSE_URL, token: QUALITY_TOKEN, sessionId: SESSION_ID, ...extra });
