import { connect, createServer, type Socket } from 'node:net';

/** A loopback TCP proxy in front of one server, which a test can turn into a black hole. */
export interface TcpProxy {
  readonly port: number;
  /** `url` (postgres://…, nats://…) with its host and port replaced by the proxy's. */
  via(url: string): string;
  /**
   * From now on nothing is forwarded either way, closes included, as by a NAT or proxy that lost its
   * state: both ends keep a connection the other side no longer hears (half-open). New connections
   * are accepted and hear nothing either.
   */
  blackhole(): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port that forwards every connection to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let holed = false;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset from either end is the test's business, not a crash of the runner.
    socket.on('error', () => undefined);
  };
  const server = createServer((client) => {
    const upstream = connect(target);
    track(client);
    track(upstream);
    client.on('data', (d) => void (holed || upstream.write(d)));
    upstream.on('data', (d) => void (holed || client.write(d)));
    client.on('close', () => holed || upstream.destroy());
    upstream.on('close', () => holed || client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP port');
  return {
    port: address.port,
    via(url) {
      const through = new URL(url);
      through.hostname = '127.0.0.1';
      through.port = String(address.port);
      return through.toString();
    },
    blackhole() {
      holed = true;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
