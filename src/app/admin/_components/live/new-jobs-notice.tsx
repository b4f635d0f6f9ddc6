'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useJobChanges } from './live-events';
import styles from '../../admin.module.css';

/**
 * On the first page of a list, says how many jobs were enqueued since it was
 * read instead of pushing rows in under the reader's eyes (and under the row
 * they were about to click); Show reads the list again.
 */
export function NewJobsNotice({ queue, name }: { queue?: string; name?: string }) {
  const router = useRouter();
  const [seen, setSeen] = useState<Set<string>>(() => new Set());
  useJobChanges((changes) => {
    const fresh = changes.filter((c) => c.type === 'job.enqueued' && (queue === undefined || c.job.queue === queue) && (name === undefined || c.job.name === name));
    if (fresh.length) setSeen((before) => new Set([...before, ...fresh.map((c) => c.job.id)]));
  });
  if (seen.size === 0) return null;
  return (
    <p className={styles.notice} data-testid="new-jobs" role="status">
      {seen.size === 1 ? '1 new job' : `${seen.size} new jobs`} since this list was read{' '}
      <button
        type="button"
        className={styles.quiet}
        onClick={() => {
          setSeen(new Set());
          router.refresh();
        }}
      >
        Show
      </button>
    </p>
  );
}
