import { logOut } from '../login/actions';
import type { Principal } from '@/server/auth';
import styles from './session.module.css';

/** Who is signed in, and a way out. */
export function SessionBar({ principal }: { principal: Principal }) {
  return (
    <form action={logOut} className={styles.bar} data-testid="session-bar">
      <span>
        Signed in as <strong data-testid="session-role">{principal.role === 'admin' ? 'admin' : 'read-only'}</strong>
      </span>
      <button type="submit" className={styles.quiet}>
        Sign out
      </button>
    </form>
  );
}
