import { describe, expect, it } from 'vitest';
import { useTempDatabase } from '../helpers/db';
import { schemaProblem } from '@/store/readiness';

const db = useTempDatabase();

describe('schemaProblem', () => {
  it('is null on a migrated database, and names the migrations a database lacks', async () => {
    const engine = await db.engine();
    expect(await schemaProblem(engine)).toBeNull();
    await engine.run("DELETE FROM __drizzle_migrations WHERE id = (SELECT max(id) FROM __drizzle_migrations)");
    expect(await schemaProblem(engine)).toMatch(/^the database schema is not current: migrations \d{4}_\w+ are not applied$/);
  });
});
