import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Lowest port handed out: clear of the well-known and registered services a machine may run. */
const LOWEST_PORT = 20_000;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The first port of the kernel's ephemeral range (Linux's ip_local_port_range; 32768 where it cannot
 * be read). Ports from it are what every outgoing connection and every `listen(0)` take, so a port
 * found free there can be taken by another test's database connection before the child binds it.
 */
export function ephemeralPortStart(read: (path: string) => string = (p) => readFileSync(p, 'utf8')): number {
  try {
    const low = Number(read('/proc/sys/net/ipv4/ip_local_port_range').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * The first of `count` consecutive loopback ports free right now, for a process that binds them
 * moments later (a child service, `ballast up --base-port`). Drawn below the ephemeral range, so
 * only another test's explicit choice can take one in between, and that one checks first too.
 */
export async function freePortRun(count: number): Promise<number> {
  // A machine whose ephemeral range starts too low leaves only the ports above it.
  const start = ephemeralPortStart();
  const top = start > LOWEST_PORT + count ? start : 65_536;
  const span = top - LOWEST_PORT - count;
  for (;;) {
    const base = LOWEST_PORT + Math.floor(Math.random() * span);
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await isFree(base + i);
    if (ok) return base;
  }
}

/** One loopback port free right now, for a child that binds it moments later (see freePortRun). */
export function freePort(): Promise<number> {
  return freePortRun(1);
}
