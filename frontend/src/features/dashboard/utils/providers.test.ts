import { describe, expect, it } from 'vitest';
import { declaredIndicator, liveRoomsText, maintenanceState } from './providers';

describe('liveRoomsText', () => {
  it.each([
    [{ provider: 12, pulse: 12 }, 'LiveKit sees 12 rooms, Pulse 12'],
    [{ provider: 1, pulse: 0 }, 'LiveKit sees 1 room, Pulse 0'],
    [{ provider: 1240, pulse: 1238 }, 'LiveKit sees 1,240 rooms, Pulse 1,238'],
    [{ provider: 3, pulse: null }, 'LiveKit sees 3 rooms, Pulse —'],
    [{ provider: null, pulse: 4 }, 'LiveKit does not report its rooms; Pulse 4'],
  ])('%o → %s', (live, text) => {
    expect(liveRoomsText('LiveKit', live)).toBe(text);
  });
});

describe('declaredIndicator', () => {
  it.each([
    ['none', 'No incident', 'healthy'],
    ['minor', 'Minor', 'degraded'],
    ['major', 'Major', 'critical'],
    ['critical', 'Critical', 'critical'],
    ['maintenance', 'Maintenance', 'neutral'],
    ['unknown', 'Unknown', 'neutral'],
  ] as const)('%s → %s, %s', (indicator, label, tone) => {
    expect(declaredIndicator(indicator)).toEqual({ label, tone });
  });

  it('reads an unexpected value as unknown', () => {
    expect(declaredIndicator('purple' as never)).toEqual({ label: 'Unknown', tone: 'neutral' });
  });
});

describe('maintenanceState', () => {
  it('says scheduled or in progress', () => {
    expect(maintenanceState('scheduled')).toBe('scheduled');
    expect(maintenanceState('in_progress')).toBe('in progress');
    expect(maintenanceState('verifying')).toBe('in progress');
  });
});
