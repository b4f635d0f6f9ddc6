import { getEngine } from '@/db/client';
import { withApi } from '@/server/auth';
import { readBody } from '@/server/api/body';
import { bulkBody, runBulk } from '@/server/api/bulk';

export const dynamic = 'force-dynamic';

/** {action: retry|cancel|delete, ids | filter, dryRun?} -> {matched} (dry run) or {done}, in chunks of 500 on the server. */
export const POST = withApi(async (request, { principal }) => runBulk(await getEngine(), await readBody(request, bulkBody), principal!.who), { role: 'admin' });
