import { type Kysely, sql } from 'kysely';

/** Tables (public schema, without kysely's own bookkeeping) mapped to their sorted column names. */
export async function tableColumns<DB>(db: Kysely<DB>): Promise<Record<string, string[]>> {
  const tables = await db.introspection.getTables();
  return Object.fromEntries(
    tables
      .filter((t) => t.schema === 'public')
      .map((t) => [t.name, t.columns.map((c) => c.name).sort()] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

export async function indexNames<DB>(db: Kysely<DB>, table: string): Promise<string[]> {
  const { rows } = await sql<{ indexname: string }>`
    SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = ${table} ORDER BY indexname`.execute(
    db,
  );
  return rows.map((r) => r.indexname);
}
