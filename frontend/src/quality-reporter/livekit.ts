import { createReporter, guard, type PulseQuality, type ReporterOptions } from './reporter';

/** The part of a livekit-client `Room` the reporter uses (it never imports livekit-client). */
export interface LiveKitRoomLike {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  localParticipant?: { connectionQuality?: unknown; isLocal?: boolean } | null;
}

// RoomEvent.ConnectionQualityChanged and RoomEvent.Disconnected (livekit-client).
export const LIVEKIT_QUALITY_EVENT = 'connectionQualityChanged';
export const LIVEKIT_DISCONNECTED_EVENT = 'disconnected';

/**
 * Maps LiveKit's ConnectionQuality to Pulse's class; null for "unknown" and
 * anything else.
 *
 * | LiveKit     | Pulse     |
 * |-------------|-----------|
 * | excellent   | excellent |
 * | good        | good      |
 * | poor        | poor      |
 * | lost        | poor      |
 * | unknown     | (not sent)|
 *
 * LiveKit has three levels for a working connection and "lost" for none.
 * Its server (pkg/sfu/connectionquality/scorer.go) calls a connection poor
 * only at an E-model R-factor of 40 or less (about MOS 2), below what the
 * ITU scale itself calls poor, and deliberately keeps the middle "good"
 * level wide. Reporting LiveKit's poor as Pulse's fair would flatter the
 * worst calls LiveKit can measure; a call that swings between good and poor
 * averages to fair on Pulse's session average, which is where fair belongs.
 * "lost" (no media reaching LiveKit) has no worse class to go to.
 */
export function mapLiveKitQuality(quality: unknown): PulseQuality | null {
  switch (quality) {
    case 'excellent':
      return 'excellent';
    case 'good':
      return 'good';
    case 'poor':
    case 'lost':
      return 'poor';
    default:
      return null;
  }
}

/**
 * Reports the local participant's LiveKit connection quality to Pulse until
 * the room disconnects, Pulse says the session is over, or the returned
 * function is called. Never throws.
 */
export function reportLiveKitQuality(room: LiveKitRoomLike, options: ReporterOptions): () => void {
  let detach = () => {};
  const reporter = createReporter(options, () => detach());
  if (reporter.stopped) return () => {};
  try {
    if (!room || typeof room.on !== 'function' || typeof room.off !== 'function') {
      throw new TypeError('reportLiveKitQuality: the first argument must be a livekit-client Room');
    }
    // args: (quality, participant); remote participants' qualities are theirs to report.
    const onQuality = guard(reporter, (quality: unknown, participant: unknown) => {
      if (!isLocalParticipant(room, participant)) return;
      const q = mapLiveKitQuality(quality);
      if (q) reporter.sample(q);
    });
    const onDisconnected = guard(reporter, () => reporter.stop());
    room.on(LIVEKIT_QUALITY_EVENT, onQuality);
    room.on(LIVEKIT_DISCONNECTED_EVENT, onDisconnected);
    detach = () => {
      room.off(LIVEKIT_QUALITY_EVENT, onQuality);
      room.off(LIVEKIT_DISCONNECTED_EVENT, onDisconnected);
    };
    // Attached after the first change (the usual case once the token is
    // fetched)? Start from the level the room already knows.
    const known = mapLiveKitQuality(room.localParticipant?.connectionQuality);
    if (known) reporter.sample(known);
  } catch (error) {
    reporter.fail(error);
    reporter.stop();
  }
  return () => reporter.stop();
}

function isLocalParticipant(room: LiveKitRoomLike, participant: unknown): boolean {
  if (participant == null) return false;
  if (participant === room.localParticipant) return true;
  return typeof participant === 'object' && (participant as { isLocal?: unknown }).isLocal === true;
}
