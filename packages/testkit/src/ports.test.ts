import { expect, it } from 'vitest';
import { ephemeralPortStart, freePortRun } from './ports';

it("reads the ephemeral range's first port, 32768 where the file is missing or garbled", () => {
  expect(ephemeralPortStart(() => '32768\t60999\n')).toBe(32_768);
  expect(ephemeralPortStart(() => '49152 65535')).toBe(49_152);
  expect(ephemeralPortStart(() => 'garbled')).toBe(32_768);
  expect(
    ephemeralPortStart(() => {
      throw new Error('ENOENT');
    }),
  ).toBe(32_768);
});

// A child binds its port seconds after the test found it free; in the ephemeral range another test's
// outgoing connection can take it in between (a service then fails to listen and is restarted).
it('hands out runs of ports below the ephemeral range only', async () => {
  const start = ephemeralPortStart();
  for (let i = 0; i < 20; i++) {
    const base = await freePortRun(7);
    expect(base).toBeGreaterThanOrEqual(20_000);
    expect(base + 7).toBeLessThanOrEqual(start);
  }
});
