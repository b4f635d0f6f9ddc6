import styles from '../admin.module.css';

/** A value as pretty JSON text (React escapes it: a `<script>` in params shows as text). */
export function JsonBlock({ value, testId }: { value: unknown; testId?: string }) {
  return <pre className={styles.pre} data-testid={testId}>{JSON.stringify(value, null, 2)}</pre>;
}
