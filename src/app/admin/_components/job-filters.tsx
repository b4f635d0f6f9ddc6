import styles from '../admin.module.css';

export interface JobFiltersProps {
  state?: string;
  name?: string;
  queue?: string;
  id?: string;
  /** The params field as typed, or as the URL's `param.<path>` keys read back. */
  paramsText: string;
  /** What is wrong with the params filter, shown beside the field. */
  paramProblem: string | null;
  /** How many of the newest jobs a params filter looks at. */
  paramSearchLimit: number;
}

/**
 * Plain GET forms: filters by name, queue and params (keeping the state tab;
 * the page turns the typed params into `param.<path>=` keys of its URL), or
 * jumps to a job by its id or a prefix.
 */
export function JobFilters(props: JobFiltersProps) {
  const { paramProblem } = props;
  return (
    <div className={styles.filters}>
      <form method="get" action="/admin/jobs" className={styles.filters} data-testid="job-filters">
        {props.state && <input type="hidden" name="state" value={props.state} />}
        <label>
          Name
          <input name="name" defaultValue={props.name ?? ''} placeholder="any" size={14} />
        </label>
        <label>
          Queue
          <input name="queue" defaultValue={props.queue ?? ''} placeholder="any" size={12} />
        </label>
        <label>
          Params
          <input name="params" defaultValue={props.paramsText} placeholder="user.id=42 plan=pro" size={24} className={styles.mono}
            aria-invalid={paramProblem ? true : undefined} aria-describedby="params-note" data-testid="params-input" />
        </label>
        <button type="submit" className={styles.button}>Filter</button>
        {paramProblem ? (
          <p id="params-note" className={`${styles.error} ${styles.filterNote}`} role="alert" data-testid="params-problem">{paramProblem}</p>
        ) : (
          <p id="params-note" className={`${styles.hint} ${styles.filterNote}`} data-testid="params-hint">
            Params: <span className={styles.mono}>path=value</span>, several separated by spaces (quote a value with spaces);
            they look at the newest {props.paramSearchLimit.toLocaleString('en-US')} jobs only.
          </p>
        )}
      </form>
      <form method="get" action="/admin/jobs" className={styles.filters} data-testid="id-search">
        <label>
          Job id or prefix
          <input name="id" defaultValue={props.id ?? ''} placeholder="019a885b…0aa1" size={18} className={styles.mono} />
        </label>
        <button type="submit" className={styles.button}>Go</button>
      </form>
    </div>
  );
}
