import { describe } from 'vitest';
import { tursodbMissing, useTursodbDatabase } from '../helpers/tursodb';
import { describeTorture } from '../torture/torture-suite';
import { describePollerRace } from '../cron/poller-race-suite';

// The concurrency tests of a local file, run again through the remote engine (@libsql/client over
// HTTP, as on Turso): four workers and kill -9 with replacements (the torture suite), and three
// cron pollers racing. The database is a local file served by `tursodb --sync-server`
// behind the test-only Hrana bridge; every process, this one too, reaches it only by URL.
describe.skipIf(!!tursodbMissing)(`on tursodb through the remote engine${tursodbMissing}`, () => {
  const db = useTursodbDatabase();
  describeTorture('torture', db, { jobs: 2_000, timeoutMs: 300_000 });
  describePollerRace('cron pollers as processes', db);
});
