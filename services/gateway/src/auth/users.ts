import { z } from 'zod';
import { parseScryptHash } from './password';

export const Role = z.enum(['viewer', 'operator']);
export type Role = z.infer<typeof Role>;

const UserEntry = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'a user name is 1-64 letters, digits or _.@-'),
  role: Role,
  scryptHash: z
    .string()
    .refine((h) => parseScryptHash(h) !== undefined, 'not a scrypt$N$r$p$salt$hash value'),
});
export type User = z.infer<typeof UserEntry>;

export const UserList = z
  .array(UserEntry)
  .min(1, 'at least one user is needed: the gateway has no anonymous access')
  .refine((users) => new Set(users.map((u) => u.name)).size === users.length, 'user names must be unique');

export class UsersError extends Error {
  readonly reason = 'invalid_users';
}

/** Users from JSON text; the message names the problem, never the hashes. */
export function parseUsers(text: string, origin: string): ReadonlyMap<string, User> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsersError(`${origin}: not valid JSON`);
  }
  const parsed = UserList.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(list)'}: ${i.message}`);
    throw new UsersError(`${origin}: ${problems.join('; ')}`);
  }
  return new Map(parsed.data.map((u) => [u.name, u]));
}
