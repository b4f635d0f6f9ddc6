import Link from 'next/link';
import styles from './session.module.css';

/** Stands in for the job list when nobody is signed in: jobs may hold private params. */
export function SignInPrompt() {
  return (
    <div className={styles.prompt} data-testid="sign-in-prompt">
      <p>The job list is for signed-in users: job params and results may be private.</p>
      <Link href="/login" className={styles.link}>
        Sign in
      </Link>
    </div>
  );
}
