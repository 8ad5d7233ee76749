import { expect } from 'vitest';
import { DbError } from '../db-error';

/** Asserts `load` fails as a bot_state row that does not parse must: DbError invalid_state naming `key`. */
export async function expectInvalidState(load: Promise<unknown>, key: string): Promise<void> {
  const err = await load.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DbError);
  expect(err).toMatchObject({
    reason: 'invalid_state',
    message: expect.stringContaining(`bot_state "${key}"`),
  });
}
