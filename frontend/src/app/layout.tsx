import type { ReactNode } from 'react';
import { Activity } from 'lucide-react';
import { useSession } from '@/features/auth/api/get-session';
import { LogoutButton } from '@/features/auth/components/logout-button';
import styles from './layout.module.css';

/** Chrome for signed-in pages: skip link, banner with the admin and logout, main landmark. */
export function AdminLayout({ children }: { children: ReactNode }) {
  const { data: session, error } = useSession();

  return (
    <div className={styles.shell}>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className={styles.header}>
        <p className={styles.brand}>
          <Activity aria-hidden="true" size={20} />
          <span>Pulse</span>
          <span className={styles.product}>System monitoring</span>
        </p>
        {session ? (
          <div className={styles.account}>
            <span className={styles.email} title={session.admin.email}>
              {session.admin.email}
            </span>
            <LogoutButton />
          </div>
        ) : (
          !error && (
            // Holds the account's place while /auth/me is on its way, so the header keeps its
            // size (and the page does not move) when it answers.
            <div className={styles.account} aria-hidden="true" inert>
              <span className={styles.email} />
              <span className={`button button--quiet skeleton--box ${styles.logoutPlaceholder}`}>Log out</span>
            </div>
          )
        )}
      </header>
      <main id="main" tabIndex={-1} className={styles.main}>
        {children}
      </main>
    </div>
  );
}
