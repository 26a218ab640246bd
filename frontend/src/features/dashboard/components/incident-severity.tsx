import { BellOff, OctagonX, TriangleAlert, type LucideIcon } from 'lucide-react';
import type { Severity } from '../utils/incidents';

export const severityDisplay: Record<Severity, { label: string; tone: string; Icon: LucideIcon }> = {
  critical: { label: 'Critical', tone: 'badge--critical', Icon: OctagonX },
  degraded: { label: 'Degraded', tone: 'badge--degraded', Icon: TriangleAlert },
};

/** An incident's severity as icon + word + colour. */
export function SeverityBadge({ severity }: { severity: Severity }) {
  const { label, tone, Icon } = severityDisplay[severity] ?? severityDisplay.critical;
  return (
    <span className={`badge ${tone}`}>
      <Icon aria-hidden="true" size={16} />
      {label}
    </span>
  );
}

/** A silence covers the rule: the incident is recorded but nobody is notified. */
export function SilencedBadge() {
  return (
    <span className="badge badge--neutral" title="A silence covers this rule: nobody is notified">
      <BellOff aria-hidden="true" size={16} />
      Silenced
    </span>
  );
}
