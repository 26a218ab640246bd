// What a provider card says of the provider's own view: its status page and its live rooms.
import type { DeclaredStatus, LiveRooms } from '../api/get-external-services';
import { formatInteger } from './format';

export type DeclaredTone = 'healthy' | 'degraded' | 'critical' | 'neutral';

const declaredLabels: Record<DeclaredStatus['indicator'], { label: string; tone: DeclaredTone }> = {
  none: { label: 'No incident', tone: 'healthy' },
  minor: { label: 'Minor', tone: 'degraded' },
  major: { label: 'Major', tone: 'critical' },
  critical: { label: 'Critical', tone: 'critical' },
  maintenance: { label: 'Maintenance', tone: 'neutral' },
  unknown: { label: 'Unknown', tone: 'neutral' },
};

/** The declared indicator as a short word and a tone; an unexpected value reads as unknown. */
export function declaredIndicator(indicator: DeclaredStatus['indicator']): { label: string; tone: DeclaredTone } {
  return declaredLabels[indicator] ?? declaredLabels.unknown;
}

const rooms = (n: number) => `${formatInteger(n)} ${n === 1 ? 'room' : 'rooms'}`;

/**
 * The provider's count beside Pulse's, so that a gap shows: "LiveKit sees 12 rooms, Pulse 12".
 * A provider that does not tell, or a Pulse count that could not be read, says so.
 */
export function liveRoomsText(name: string, live: LiveRooms): string {
  const pulse = live.pulse == null ? 'Pulse —' : `Pulse ${formatInteger(live.pulse)}`;
  if (live.provider == null) return `${name} does not report its rooms; ${pulse}`;
  return `${name} sees ${rooms(live.provider)}, ${pulse}`;
}

/** "in progress" / "scheduled" for a declared maintenance. */
export function maintenanceState(status: NonNullable<DeclaredStatus['maintenance']>['status']): string {
  return status === 'scheduled' ? 'scheduled' : 'in progress';
}
