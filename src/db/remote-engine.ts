import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import * as schema from './schema';
import type { DrizzleDb, Engine, Row, SqlArg } from './engine';

/**
 * A Turso or libSQL server over @libsql/client. Every transition is one
 * statement or one write batch, so each is atomic over the network without an
 * interactive transaction.
 */
export function openRemoteEngine(url: string, authToken: string | undefined): Engine {
  const client = createClient({ url, authToken });
  const orm = drizzle(client, { schema }) as unknown as DrizzleDb;
  const toRows = (result: { columns: string[]; rows: ArrayLike<unknown>[] }): Row[] =>
    result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i]])));

  return {
    kind: 'remote',
    location: url.replace(/\?.*$/, ''),
    orm,
    async all<T = Row>(sql: string, args: SqlArg[] = []) {
      return toRows(await client.execute({ sql, args })) as T[];
    },
    async run(sql, args = []) {
      await client.execute({ sql, args });
    },
    async batch(statements) {
      const results = await client.batch(statements.map((s) => ({ sql: s.sql, args: s.args ?? [] })), 'write');
      return results.map(toRows);
    },
    // Nothing to join over the network: built and sent at once. One statement is atomic on its own,
    // so it goes as a plain execute (no BEGIN / COMMIT around it), as the claim always has.
    async deferredBatch(build) {
      const statements = build();
      if (statements.length === 0) return [];
      if (statements.length > 1) return this.batch(statements);
      return [await this.all(statements[0].sql, statements[0].args)];
    },
    async close() {
      client.close();
    },
  };
}
