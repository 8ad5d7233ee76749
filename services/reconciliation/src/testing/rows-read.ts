import type { KyselyPlugin, UnknownRow } from 'kysely';

/** A Kysely plugin keeping every row the database hands back: what the code under test fetched. */
export function rowsRead(): { plugin: KyselyPlugin; rows: UnknownRow[] } {
  const rows: UnknownRow[] = [];
  return {
    rows,
    plugin: {
      transformQuery: (args) => args.node,
      async transformResult(args) {
        rows.push(...args.result.rows);
        return args.result;
      },
    },
  };
}
