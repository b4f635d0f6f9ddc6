import styles from '../admin.module.css';

export interface JobListSearch {
  state?: string;
  name?: string;
  queue?: string;
  id?: string;
}

/** A plain GET form: filters by name and queue (keeping the state tab), or jumps to a job by its id or a prefix. */
export function JobFilters({ search }: { search: JobListSearch }) {
  return (
    <div className={styles.filters}>
      <form method="get" action="/admin/jobs" className={styles.filters} data-testid="job-filters">
        {search.state && <input type="hidden" name="state" value={search.state} />}
        <label>
          Name
          <input name="name" defaultValue={search.name ?? ''} placeholder="any" size={14} />
        </label>
        <label>
          Queue
          <input name="queue" defaultValue={search.queue ?? ''} placeholder="any" size={12} />
        </label>
        <button type="submit" className={styles.button}>Filter</button>
      </form>
      <form method="get" action="/admin/jobs" className={styles.filters} data-testid="id-search">
        <label>
          Job id or prefix
          <input name="id" defaultValue={search.id ?? ''} placeholder="019a885b…0aa1" size={18} className={styles.mono} />
        </label>
        <button type="submit" className={styles.button}>Go</button>
      </form>
    </div>
  );
}
