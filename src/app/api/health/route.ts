import { withApi } from '@/server/auth';

export const dynamic = 'force-dynamic';

/** Liveness: the web process answers. No auth, no database. */
export const GET = withApi(async () => ({ status: 'ok' }), { role: 'none' });
