import {
  CircleCheck,
  CircleHelp,
  CircleMinus,
  CircleX,
  FlaskConical,
  Megaphone,
  Plug,
  TriangleAlert,
  Wrench,
  type LucideIcon,
} from 'lucide-react';
import type { DeclaredStatus, ExternalService, ExternalServices } from '../api/get-external-services';
import { formatClock, formatDayHourMinute, formatDuration, formatUptime } from '../utils/format';
import { declaredIndicator, liveRoomsText, maintenanceState, type DeclaredTone } from '../utils/providers';
import { DashboardCard, SkeletonLines } from './dashboard-card';
import styles from './dashboard.module.css';
import { StatusBadge, type BadgeDisplay } from './status-badge';

type ServiceStatus = ExternalService['status'];

const statusDisplay: Record<ServiceStatus, BadgeDisplay> = {
  operational: { label: 'Operational', tone: 'badge--healthy', Icon: CircleCheck },
  degraded: { label: 'Degraded', tone: 'badge--degraded', Icon: TriangleAlert },
  down: { label: 'Down', tone: 'badge--critical', Icon: CircleX },
  unconfigured: { label: 'Not configured', tone: 'badge--neutral', Icon: CircleMinus },
};

/** A service's status as icon + word + colour. */
export function ServiceStatusBadge({ status }: { status: ServiceStatus }) {
  return <StatusBadge display={statusDisplay[status] ?? statusDisplay.down} />;
}

interface ExternalServicesCardProps {
  services?: ExternalServices;
  error?: Error;
}

/** Daily.co, LiveKit and Beyond Presence as the backend's checker last saw them. */
export function ExternalServicesCard({ services, error }: ExternalServicesCardProps) {
  return (
    <DashboardCard
      title="External services"
      icon={<Plug aria-hidden="true" size={18} />}
      data={services?.services}
      error={error}
      skeleton={<SkeletonLines lines={3} />}
      wide
    >
      {(list) =>
        list.length === 0 ? (
          <p className="card__hint">No external services are monitored.</p>
        ) : (
          <ul className={styles.services}>
            {list.map((service) => (
              <ServiceItem key={service.id} service={service} />
            ))}
          </ul>
        )
      }
    </DashboardCard>
  );
}

function ServiceItem({ service }: { service: ExternalService }) {
  const headingId = `service-${service.id}`;
  const configured = service.status !== 'unconfigured';
  return (
    <li className={styles.service} aria-labelledby={headingId}>
      <div className={styles.serviceHead}>
        <h3 id={headingId}>{service.name}</h3>
        <ServiceStatusBadge status={service.status} />
      </div>
      {service.demo && (
        // Below the name, not beside it: on a phone two badges would squeeze the name.
        <p className={styles.demoNote}>
          <span className="badge badge--neutral" title="A local stand-in started by pulse demo, not the real provider">
            <FlaskConical aria-hidden="true" size={16} />
            Demo stand-in
          </span>
        </p>
      )}
      <dl className={styles.serviceFacts}>
        <dt>Latency</dt>
        <dd>{service.latency_ms == null ? '—' : formatDuration(service.latency_ms)}</dd>
        <dt>Last check</dt>
        <dd>{service.checked_at ? formatClock(service.checked_at) : 'never'}</dd>
        <dt>Uptime 24h</dt>
        <dd>{service.uptime_24h == null ? '—' : formatUptime(service.uptime_24h)}</dd>
        {configured && service.live_rooms && (
          <>
            <dt>Live rooms</dt>
            <dd>{liveRoomsText(service.name, service.live_rooms)}</dd>
          </>
        )}
      </dl>
      {service.detail && <p className={styles.detail}>{service.detail}</p>}
      {service.declared && <Declared name={service.name} declared={service.declared} />}
    </li>
  );
}

const declaredIcons: Record<DeclaredTone, LucideIcon> = {
  healthy: CircleCheck,
  degraded: TriangleAlert,
  critical: CircleX,
  neutral: CircleHelp,
};

/** What the provider itself declares on its status page: indicator, open incident, maintenance. */
function Declared({ name, declared }: { name: string; declared: DeclaredStatus }) {
  const { label, tone } = declaredIndicator(declared.indicator);
  const Icon = declared.indicator === 'maintenance' ? Wrench : declaredIcons[tone];
  const m = declared.maintenance;
  const impact = declared.incident_impact ? ` (${declared.incident_impact})` : '';
  return (
    <section className={styles.declared} aria-label={`${name} status page`}>
      <p className={styles.declaredHead}>
        <Megaphone aria-hidden="true" size={14} />
        <span>Status page</span>
        <span className={`badge badge--${tone}`}>
          <Icon aria-hidden="true" size={14} />
          {label}
        </span>
      </p>
      <p className={styles.detail}>
        {declared.description} <span className={styles.declaredAt}>(read {formatClock(declared.checked_at)})</span>
      </p>
      {declared.incident && (
        <p className={styles.incident}>
          <span className={styles.incidentLabel}>Incident{impact}:</span>{' '}
          {declared.incident}
        </p>
      )}
      {m && (
        <p className={styles.detail}>
          Maintenance {maintenanceState(m.status)}
          {m.status === 'scheduled' && m.scheduled_for ? ` for ${formatDayHourMinute(m.scheduled_for)}` : ''}: {m.name}
        </p>
      )}
    </section>
  );
}
