import { redirect } from 'next/navigation';
import { currentPrincipal, type Principal } from '@/server/auth';

/**
 * The signed-in principal for an admin page, or a redirect to the login page
 * that comes back to `path` afterwards. Every admin page calls it itself: the
 * layout's check does not guard a page (they render independently).
 */
export async function requirePrincipal(path: string): Promise<Principal> {
  const principal = await currentPrincipal();
  if (!principal) redirect(`/login?next=${encodeURIComponent(path)}`);
  return principal;
}
