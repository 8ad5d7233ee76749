import { createTestDatabase } from '@ballast/testkit';
import { createDb } from '../create-db';
import { repositorySuite } from '../testing/repository-suite';

repositorySuite('PostgreSQL', async () => {
  const testDb = await createTestDatabase('db_repositories');
  const { db } = await createDb({ url: testDb.url, poolSize: 3 });
  return {
    db,
    async close() {
      await db.destroy();
      await testDb.drop();
    },
  };
});
