import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createDb, type DbHandle } from '@ballast/db';

/**
 * The deployment's database, to read from (DATABASE_URL, else the PGlite directory): nothing migrated.
 * A PGlite directory without a database is refused: opening it would create one there, and then fail
 * obscurely. `flag` names the option that wanted it in the error.
 */
export async function openDeployedDb(flag: string, pgliteDir: string): Promise<DbHandle> {
  const url = process.env.DATABASE_URL;
  if (!url && !pgliteDir.includes('://') && !existsSync(join(pgliteDir, 'PG_VERSION')))
    throw new Error(
      `${flag}: DATABASE_URL is unset and ${pgliteDir} holds no PGlite database; set DATABASE_URL to the deployment's (or --pglite-dir)`,
    );
  return createDb({ url, pgliteDir, poolSize: 1 });
}
