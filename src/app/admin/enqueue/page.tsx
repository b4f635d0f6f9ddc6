import Link from 'next/link';
import { getConfig } from '@/config/env';
import { formatDuration } from '@/core/duration';
import { priorityLabel } from '@/core/priority';
import { registry } from '@/jobs';
import { describeJobTypes, type JobTypeInfo } from '@/lib/jobs/job-types';
import { EnqueueForm } from '../_components/enqueue-form';
import { requirePrincipal } from '../_lib/session';
import styles from '../admin.module.css';

export const dynamic = 'force-dynamic';

type Search = Promise<Record<string, string | string[] | undefined>>;

/** The params a job type takes, one per line, as `bin/jobs types` describes them. */
function Params({ params }: { params: JobTypeInfo['params'] }) {
  if (params.kind === 'none') return <span className={styles.muted}>any JSON (no schema)</span>;
  if (params.kind === 'opaque') return <span className={styles.muted}>{params.text}</span>;
  if (params.params.length === 0) return <span className={styles.muted}>none</span>;
  return (
    <ul className={styles.paramList} data-testid="type-params">
      {params.params.map((p) => {
        const extras = [...p.notes, ...(p.defaultJson === null ? [] : [`default ${p.defaultJson}`])];
        return (
          <li key={p.name} data-testid="type-param" data-name={p.name}>
            <code>{p.name}</code>{p.required ? <span title="required"> *</span> : null} <span className={styles.muted}>{p.type}</span>
            {extras.length > 0 && <span className={styles.muted}> · {extras.join(', ')}</span>}
          </li>
        );
      })}
      {!params.extraAllowed && <li className={styles.muted}>no other keys</li>}
    </ul>
  );
}

/** The folded params' one-line title: how many there are. */
function paramsSummary(params: JobTypeInfo['params']): string {
  if (params.kind !== 'object') return 'params';
  return params.params.length === 1 ? '1 param' : `${params.params.length} params`;
}

/** The registered job types with their defaults and params; the admin role may enqueue any of them (the options of `bin/jobs enqueue`). */
export default async function EnqueuePage({ searchParams }: { searchParams: Search }) {
  const principal = await requirePrincipal('/admin/enqueue');
  const isAdmin = principal.role === 'admin';
  const types = describeJobTypes(registry, getConfig());
  const wanted = (await searchParams).job;
  const selected = types.find((t) => t.name === (Array.isArray(wanted) ? wanted[0] : wanted))?.name;
  return (
    <>
      <h1>Enqueue</h1>
      <section className={styles.card} aria-labelledby="types-title">
        <h2 id="types-title">Job types</h2>
        <div className={styles.scroll}>
          <table className={styles.table} data-testid="types-table">
            <thead>
              <tr>
                <th>Name and params (* required)</th><th>Queue</th><th>Priority</th><th className={styles.num}>Max attempts</th><th>Timeout</th><th>Backoff</th><th>Schedule</th>
              </tr>
            </thead>
            <tbody>
              {types.map((t) => (
                <tr key={t.name} data-testid="type-row" data-name={t.name}>
                  <td className={styles.wrap}>
                    <Link href={`/admin/jobs?name=${encodeURIComponent(t.name)}`} className={styles.mono} title={`${t.className}: its jobs`} data-testid="type-jobs-link">{t.name}</Link>
                    {t.description && <div className={styles.muted} data-testid="type-description">{t.description}</div>}
                    {/* Folded: send-email alone has a dozen params, which made every row a screen tall. */}
                    <details className={styles.typeParams}>
                      <summary>{paramsSummary(t.params)}</summary>
                      <Params params={t.params} />
                    </details>
                  </td>
                  <td>{t.queue}</td>
                  <td>{priorityLabel(t.priority)}</td>
                  <td className={styles.num}>{t.maxAttempts}</td>
                  <td>{formatDuration(t.timeoutMs)}</td>
                  <td>{t.backoff}</td>
                  <td className={styles.mono}>{t.schedule ?? <span className={styles.muted}>-</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {isAdmin && (
        <section className={styles.card} aria-labelledby="enqueue-title">
          <h2 id="enqueue-title">Enqueue a job</h2>
          <EnqueueForm jobNames={types.map((t) => t.name)} selected={selected} />
          <p className={styles.muted}>Empty boxes take the job type&apos;s defaults. Delay: 30s, 5m, 2h. The same as <code>bin/jobs enqueue</code> and POST /api/jobs.</p>
        </section>
      )}
    </>
  );
}
