import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { databaseUrl } from './infra';

/** A short unique name per test file, for subject prefixes, stream names and databases. */
export function uniqueName(label: string): string {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 24);
  return `t_${clean}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A fresh database on the test server, one per test file so files run in parallel. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const server = await databaseUrl();
  const name = uniqueName(label);
  await adminQuery(server, `CREATE DATABASE "${name}"`);
  return {
    name,
    url: withDatabase(server, name),
    async drop() {
      // 55006: "being accessed by other users": a pool is still closing; wait and retry.
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          await adminQuery(server, `DROP DATABASE IF EXISTS "${name}"`);
          return;
        } catch (err) {
          if ((err as { code?: string }).code !== '55006') throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      throw new Error(`could not drop test database ${name}: still in use`);
    },
  };
}
