import type { CSSProperties } from 'react';
import type { DayTick, TimelineBar, TimelineRow } from '../utils/incidents';
import { ChartEmptyState } from './chart-empty-state';
import styles from './dashboard.module.css';

interface IncidentTimelineChartProps {
  /** One row per rule, from toTimelineRows(). */
  rows: readonly TimelineRow[];
  /** The midnights inside the window, from dayTicks(). */
  ticks: readonly DayTick[];
  /** What the chart says when there is no row. */
  emptyMessage: string;
  /** What the right edge of the axis stands for. */
  endLabel?: string;
}

/**
 * A Gantt-like strip per alert rule: each incident a bar from its opening to its resolve, solid
 * red for critical, striped yellow for degraded, so the colour is never the only signal. Each bar
 * is a list item named in words ("LiveKit API, critical, Tue 4 Mar 03:12–03:40, 28 min").
 * Plain positioned elements, no charting library.
 */
export function IncidentTimelineChart({ rows, ticks, emptyMessage, endLabel = 'now' }: IncidentTimelineChartProps) {
  if (rows.length === 0) return <ChartEmptyState message={emptyMessage} />;
  return (
    <div className={styles.timeline} data-testid="incident-timeline">
      <ul className={styles.timelineRows} aria-label="Incidents by rule">
        {rows.map((row) => (
          <li key={row.rule} className={styles.timelineRow}>
            <span className={styles.timelineRule}>{row.ruleName}</span>
            <div className={styles.timelineTrack}>
              <Gridlines ticks={ticks} />
              <ul className={styles.timelineBars} aria-label={`${row.ruleName} incidents`}>
                {row.bars.map((bar) => (
                  <Bar key={bar.id} bar={bar} />
                ))}
              </ul>
            </div>
          </li>
        ))}
      </ul>
      <div className={styles.timelineAxis} aria-hidden="true">
        {ticks.map(
          (tick) =>
            tick.labelPct !== null && (
              <span key={tick.at} className={styles.timelineTick} style={position(tick.labelPct)}>
                {tick.label}
              </span>
            ),
        )}
        <span className={styles.timelineEnd}>{endLabel}</span>
      </div>
    </div>
  );
}

function Bar({ bar }: { bar: TimelineBar }) {
  const classes = [
    styles.timelineBar,
    bar.severity === 'critical' ? styles.barCritical : styles.barDegraded,
    bar.open && styles.barOpen,
    bar.clippedStart && styles.barClipped,
    bar.silenced && styles.barSilenced,
  ].filter(Boolean);
  return (
    <li
      className={classes.join(' ')}
      style={{ '--bar-left': bar.leftPct, '--bar-width': bar.widthPct } as CSSProperties}
      aria-label={bar.label}
      title={bar.label}
    />
  );
}

function Gridlines({ ticks }: { ticks: readonly DayTick[] }) {
  return (
    <div className={styles.timelineGrid} aria-hidden="true">
      {ticks.map((tick) => (
        <span key={tick.at} style={position(tick.leftPct)} />
      ))}
    </div>
  );
}

const position = (leftPct: number): CSSProperties => ({ left: `${leftPct}%` });
