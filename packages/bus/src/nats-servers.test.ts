import { describe, expect, it } from 'vitest';
import { natsTarget } from './nats-servers';

describe('natsTarget', () => {
  it('takes user and password out of the URL, which nats.js would ignore', () => {
    expect(natsTarget('nats://signals:s%40cret@nats:4222')).toEqual({
      servers: ['nats://nats:4222'],
      user: 'signals',
      pass: 's@cret',
    });
  });

  it('splits a comma list of cluster URLs and leaves plain host:port entries alone', () => {
    expect(natsTarget('nats://a:1@n1:4222, nats://a:1@n2:4222,127.0.0.1:4223')).toEqual({
      servers: ['nats://n1:4222', 'nats://n2:4222', '127.0.0.1:4223'],
      user: 'a',
      pass: '1',
    });
    expect(natsTarget(['nats://127.0.0.1:4222'])).toEqual({ servers: ['nats://127.0.0.1:4222'] });
  });
});
