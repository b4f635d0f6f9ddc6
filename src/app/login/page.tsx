import type { Metadata } from 'next';
import Link from 'next/link';
import { currentPrincipal } from '@/server/auth';
import { LoginForm } from './login-form';
import styles from './login.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in · Fluent Jobs' };

type Search = Promise<{ code?: string | string[]; next?: string | string[] }>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export default async function LoginPage({ searchParams }: { searchParams: Search }) {
  const search = await searchParams;
  const code = first(search.code);
  const next = first(search.next) ?? '/';
  const principal = await currentPrincipal();

  return (
    <main className={styles.page}>
      <section className={styles.card} aria-labelledby="login-title">
        <header className={styles.head}>
          <p className={styles.brand}>Fluent Jobs</p>
          <h1 id="login-title">Sign in</h1>
        </header>
        {principal && (
          <p className={styles.notice} data-testid="login-signed-in">
            You are signed in ({principal.role === 'admin' ? 'admin' : 'read-only'}). <Link href="/">Go to the jobs</Link>
          </p>
        )}
        <LoginForm code={code} next={next} />
        <p id="token-help" className={styles.help}>
          Use <code>JOBS_ADMIN_TOKEN</code> to manage jobs, or <code>JOBS_READONLY_TOKEN</code> to look only. When{' '}
          <code>JOBS_ADMIN_TOKEN</code> is not set, <code>npm start</code> prints a one‑time sign‑in link and keeps the
          generated token in <code>admin-token</code> in the data folder.
        </p>
      </section>
    </main>
  );
}
