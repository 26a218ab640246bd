import { BellOff, OctagonX, TriangleAlert } from 'lucide-react';
import type { Severity } from '../utils/incidents';
import { StatusBadge, type BadgeDisplay } from './status-badge';

export const severityDisplay: Record<Severity, BadgeDisplay> = {
  critical: { label: 'Critical', tone: 'badge--critical', Icon: OctagonX },
  degraded: { label: 'Degraded', tone: 'badge--degraded', Icon: TriangleAlert },
};

/** An incident's severity as icon + word + colour. */
export function SeverityBadge({ severity }: { severity: Severity }) {
  return <StatusBadge display={severityDisplay[severity] ?? severityDisplay.critical} />;
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
