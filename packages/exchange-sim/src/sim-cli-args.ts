import type { ReplaySpeed } from './replay-feed';
import type { ExchangeSimOptions } from './sim-options';

export class SimArgsError extends Error {
  readonly reason = 'invalid_sim_args';
}

/**
 * CLI flags (each also an env variable): --port (EXCHANGE_SIM_PORT, default 0), --host,
 * --data-dir (BALLAST_DATA_DIR), --speed realtime|asap|step|<factor> (EXCHANGE_SIM_SPEED),
 * --loop, --no-autostart, --api-key/--api-secret (EXCHANGE_SIM_API_KEY/_SECRET).
 */
export function parseSimArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ExchangeSimOptions {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dataDir = flag('data-dir') ?? env.BALLAST_DATA_DIR;
  if (!dataDir) throw new SimArgsError('set --data-dir or BALLAST_DATA_DIR to the recorded data directory');
  const port = Number(flag('port') ?? env.EXCHANGE_SIM_PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SimArgsError(`invalid port: ${port}`);
  const speed = parseSpeed(flag('speed') ?? env.EXCHANGE_SIM_SPEED ?? 'realtime');
  return {
    dataDir,
    port,
    host: flag('host') ?? env.EXCHANGE_SIM_HOST ?? '127.0.0.1',
    speed,
    autoStart: !argv.includes('--no-autostart') && speed.mode !== 'step',
    loop: argv.includes('--loop'),
    binance: {
      apiKey: flag('api-key') ?? env.EXCHANGE_SIM_API_KEY ?? 'sim-api-key',
      apiSecret: flag('api-secret') ?? env.EXCHANGE_SIM_API_SECRET ?? 'sim-api-secret',
    },
  };
}

export function parseSpeed(text: string): ReplaySpeed {
  if (text === 'realtime' || text === 'asap' || text === 'step') return { mode: text };
  const factor = Number(text);
  if (!Number.isFinite(factor) || factor <= 0)
    throw new SimArgsError(`invalid speed "${text}": realtime, asap, step or a positive factor`);
  return { mode: 'accelerated', factor };
}
