import Link from 'next/link';
import { shortJobId } from '@/core/ids';
import styles from '../admin.module.css';

/** A job's short id, monospace, linking to its detail; the whole id in its title. */
export function JobLink({ id }: { id: string }) {
  return (
    <Link href={`/admin/jobs/${id}`} className={styles.mono} title={id} data-testid="job-link">
      {shortJobId(id)}
    </Link>
  );
}
