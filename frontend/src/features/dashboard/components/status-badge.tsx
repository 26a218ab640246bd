import type { LucideIcon } from 'lucide-react';

/** How one status value is shown: its word, its colour (a global badge tone) and its icon. */
export interface BadgeDisplay {
  label: string;
  tone: string;
  Icon: LucideIcon;
}

interface StatusBadgeProps {
  display: BadgeDisplay;
  /** Icon size in px. */
  size?: number;
  className?: string;
}

/** A status as icon + word + colour, so that colour is never the only signal. */
export function StatusBadge({ display: { label, tone, Icon }, size = 16, className }: StatusBadgeProps) {
  return (
    <span className={className ? `badge ${tone} ${className}` : `badge ${tone}`}>
      <Icon aria-hidden="true" size={size} />
      {label}
    </span>
  );
}
