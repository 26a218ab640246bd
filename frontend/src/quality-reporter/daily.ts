import { createReporter, guard, type PulseQuality, type ReporterOptions } from './reporter';

/** The part of a daily-js call object the reporter uses (it never imports daily-js). */
export interface DailyCallLike {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  meetingState?: () => string;
  getNetworkStats?: () => Promise<unknown>;
}

export const DAILY_QUALITY_EVENT = 'network-quality-change';
// left-meeting also fires when the participant is ejected or a fatal error ends the call.
export const DAILY_END_EVENTS = ['left-meeting', 'call-instance-destroyed'] as const;

/** Daily's deprecated 0–100 score at or above which a "good" network counts as excellent. */
export const DAILY_EXCELLENT_SCORE = 90;

/**
 * Maps a daily-js `network-quality-change` event (or a getNetworkStats()
 * answer, which has the same fields) to Pulse's class; null when Daily does
 * not know yet.
 *
 * | daily-js `networkState` (since 0.77) | deprecated `threshold` | Pulse |
 * |---|---|---|
 * | `good` and `quality` ≥ 90 | `good` and `quality` ≥ 90 | excellent |
 * | `good` | `good` | good |
 * | `warning` (`low` in some SDKs) | `low` | fair |
 * | `bad` | `very-low` | poor |
 * | `unknown` | — | (not sent) |
 *
 * `networkState` wins when both are present. Daily has no level above good;
 * the deprecated 0–100 `quality` score, still sent beside it, is what tells
 * an excellent link from a merely good one, so that Daily calls are not
 * capped one class below LiveKit's. Without a score, good stays good.
 * Daily's own clients lower the bandwidth at warning (degraded but working:
 * fair) and turn the camera off at bad (poor).
 */
export function mapDailyQuality(event: unknown): PulseQuality | null {
  if (!event || typeof event !== 'object') return null;
  const e = event as { networkState?: unknown; threshold?: unknown; quality?: unknown };
  const level = typeof e.networkState === 'string' ? e.networkState : e.threshold;
  switch (level) {
    case 'good':
      return typeof e.quality === 'number' && e.quality >= DAILY_EXCELLENT_SCORE ? 'excellent' : 'good';
    case 'warning':
    case 'low':
      return 'fair';
    case 'bad':
    case 'very-low':
      return 'poor';
    default:
      return null;
  }
}

/**
 * Reports the local participant's Daily network quality to Pulse until the
 * call is left (or the call object destroyed), Pulse says the session is
 * over, or the returned function is called. Never throws.
 */
export function reportDailyQuality(callObject: DailyCallLike, options: ReporterOptions): () => void {
  let detach = () => {};
  const reporter = createReporter(options, () => detach());
  if (reporter.stopped) return () => {};
  try {
    if (!callObject || typeof callObject.on !== 'function' || typeof callObject.off !== 'function') {
      throw new TypeError('reportDailyQuality: the first argument must be a daily-js call object');
    }
    let heard = false;
    const onQuality = guard(reporter, (event: unknown) => {
      heard = true;
      const q = mapDailyQuality(event);
      if (q) reporter.sample(q);
    });
    const onEnd = guard(reporter, () => reporter.stop());
    callObject.on(DAILY_QUALITY_EVENT, onQuality);
    for (const name of DAILY_END_EVENTS) callObject.on(name, onEnd);
    detach = () => {
      callObject.off(DAILY_QUALITY_EVENT, onQuality);
      for (const name of DAILY_END_EVENTS) callObject.off(name, onEnd);
    };
    // Daily announces changes only: attached to a call already joined on a
    // steady network, nothing would ever be heard. Start from its current
    // assessment (only once joined: before that it reports defaults).
    if (typeof callObject.getNetworkStats === 'function' && callObject.meetingState?.() === 'joined-meeting') {
      Promise.resolve()
        .then(() => callObject.getNetworkStats?.())
        .then((stats) => {
          if (heard || reporter.stopped) return; // an event already said something newer
          const q = mapDailyQuality(stats);
          if (q) reporter.sample(q);
        })
        .catch((error: unknown) => reporter.fail(error));
    }
  } catch (error) {
    reporter.fail(error);
    reporter.stop();
  }
  return () => reporter.stop();
}
