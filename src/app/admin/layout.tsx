import type { Metadata } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { pagePathHeader } from '@/server/page-path';
import { logOut } from '../login/actions';
import { AdminNav } from './_components/admin-nav';
import { LiveEvents } from './_components/live/live-events';
import { LiveIndicator } from './_components/live/live-indicator';
import { requirePrincipal } from './_lib/session';
import styles from './admin.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Admin · Fluent Jobs' };

/** The admin frame: the sections, and who is signed in with which role (no session: to the login, and back to this page after). */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const principal = await requirePrincipal((await headers()).get(pagePathHeader) ?? '/admin');
  return (
    <LiveEvents>
      <div className={styles.shell}>
        <header className={styles.top}>
          <p className={styles.brand}>Fluent Jobs</p>
          <AdminNav />
          <LiveIndicator />
          <form action={logOut} className={styles.who} data-testid="admin-session">
            <span>
              Signed in as <strong data-testid="session-role">{principal.role === 'admin' ? 'admin' : 'read-only'}</strong>
            </span>
            <button type="submit" className={styles.quiet}>
              Sign out
            </button>
          </form>
        </header>
        <main className={styles.main}>{children}</main>
      </div>
    </LiveEvents>
  );
}
