// The nself jobs plugin's GET /health: the same liveness answer as /api/health.
export const dynamic = 'force-dynamic';
export { GET } from '../api/health/route';
