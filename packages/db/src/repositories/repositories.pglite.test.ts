import { createDb, PGLITE_IN_MEMORY } from '../create-db';
import { repositorySuite } from '../testing/repository-suite';

repositorySuite('PGlite', async () => {
  const { db } = await createDb({ pgliteDir: PGLITE_IN_MEMORY });
  return { db, close: () => db.destroy() };
});
