'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import styles from '../admin.module.css';

const sections = [
  { href: '/admin', label: 'Overview' },
  { href: '/admin/jobs', label: 'Jobs' },
  { href: '/admin/failures', label: 'Failures' },
  { href: '/admin/queues', label: 'Queues' },
  { href: '/admin/workers', label: 'Workers' },
  { href: '/admin/schedules', label: 'Schedules' },
  { href: '/admin/alerts', label: 'Alerts' },
  { href: '/admin/enqueue', label: 'Enqueue' },
  { href: '/admin/activity', label: 'Activity' },
];

/** The sections of the admin page; the current one is marked for the eye and for screen readers. */
export function AdminNav() {
  const path = usePathname();
  const current = (href: string) => (href === '/admin' ? path === href : path === href || path.startsWith(`${href}/`));
  return (
    <nav aria-label="Admin sections">
      <ul className={styles.nav}>
        {sections.map((s) => (
          <li key={s.href}>
            <Link href={s.href} aria-current={current(s.href) ? 'page' : undefined}>
              {s.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
