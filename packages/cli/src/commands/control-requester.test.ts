import { describe, expect, it, vi } from 'vitest';

// A uid with no passwd entry (a container run as --user 12345): os.userInfo throws, as libuv does there.
vi.mock('node:os', async (original) => ({
  ...(await original<typeof import('node:os')>()),
  userInfo: () => {
    throw new Error('A system error occurred: uv_os_get_passwd returned ENOENT (no such file or directory)');
  },
}));

const { requester } = await import('./control');

describe('the requester a kill is recorded with', () => {
  it('falls back to $USER or the uid when the user has no passwd entry, rather than block the kill', () => {
    vi.stubEnv('USER', 'operator');
    expect(requester()).toBe('cli:operator');
    vi.stubEnv('USER', undefined);
    vi.stubEnv('LOGNAME', undefined);
    expect(requester()).toBe(`cli:uid ${process.getuid?.()}`);
    vi.unstubAllEnvs();
  });
});
