import { logOut } from '../login/actions';
import type { Principal } from '@/server/auth';
import styles from './session.module.css';

/** Who is signed in, the way to the admin page, and a way out. */
export function SessionBar({ principal }: { principal: Principal }) {
  return (
    <form action={logOut} className={styles.bar} data-testid="session-bar">
      <span>
        Signed in as <strong data-testid="session-role">{principal.role === 'admin' ? 'admin' : 'read-only'}</strong>
      </span>
      <a href="/admin" data-testid="admin-link">
        Admin
      </a>
      <button type="submit" className={styles.quiet}>
        Sign out
      </button>
    </form>
  );
}
