// The nself jobs plugin's GET /ready: the same readiness answer as /api/ready.
export const dynamic = 'force-dynamic';
export { GET } from '../api/ready/route';
