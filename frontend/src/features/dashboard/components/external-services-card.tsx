import { CircleCheck, CircleMinus, CircleX, Plug, TriangleAlert, type LucideIcon } from 'lucide-react';
import type { ExternalServices } from '../api/get-external-services';
import { formatClock, formatDuration, formatUptime } from '../utils/format';
import { DashboardCard, SkeletonLines } from './dashboard-card';
import styles from './dashboard.module.css';

type ExternalService = ExternalServices['services'][number];
type ServiceStatus = ExternalService['status'];

const statusDisplay: Record<ServiceStatus, { label: string; tone: string; Icon: LucideIcon }> = {
  operational: { label: 'Operational', tone: 'badge--healthy', Icon: CircleCheck },
  degraded: { label: 'Degraded', tone: 'badge--degraded', Icon: TriangleAlert },
  down: { label: 'Down', tone: 'badge--critical', Icon: CircleX },
  unconfigured: { label: 'Not configured', tone: 'badge--neutral', Icon: CircleMinus },
};

/** A service's status as icon + word + colour. */
export function ServiceStatusBadge({ status }: { status: ServiceStatus }) {
  const { label, tone, Icon } = statusDisplay[status] ?? statusDisplay.down;
  return (
    <span className={`badge ${tone}`}>
      <Icon aria-hidden="true" size={16} />
      {label}
    </span>
  );
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
  return (
    <li className={styles.service} aria-labelledby={headingId}>
      <div className={styles.serviceHead}>
        <h3 id={headingId}>{service.name}</h3>
        <ServiceStatusBadge status={service.status} />
      </div>
      <dl className={styles.serviceFacts}>
        <dt>Latency</dt>
        <dd>{service.latency_ms == null ? '—' : formatDuration(service.latency_ms)}</dd>
        <dt>Last check</dt>
        <dd>{service.checked_at ? formatClock(service.checked_at) : 'never'}</dd>
        <dt>Uptime 24h</dt>
        <dd>{service.uptime_24h == null ? '—' : formatUptime(service.uptime_24h)}</dd>
      </dl>
      {service.detail && <p className={styles.detail}>{service.detail}</p>}
    </li>
  );
}
