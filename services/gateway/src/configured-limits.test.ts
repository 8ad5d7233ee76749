import { DEFAULT_RISK_LIMITS, RiskLimits } from '@ballast/core';
import { ConfigError } from '@ballast/service-kit';
import { describe, expect, it } from 'vitest';
import { configuredLimits } from './configured-limits';
import { type GatewayDeps, startGateway } from './service';

/** The message the risk service refuses its start with for the same settings (services/risk configured-limits). */
const refusal = (allowance: number, offset: number) =>
  'invalid configuration (1 problem):\n' +
  `  RISK_LIMITS_JSON: invalid (stopExitAllowanceBps (${allowance}) is below STOP_LIMIT_OFFSET_BPS (${offset}, ` +
  "the stops service's stop-limit offset): entries would pass risk that their stop cannot sell; " +
  `raise stopExitAllowanceBps to at least ${offset})`;

const limits = (given: object) => RiskLimits.parse(given);

describe('configuredLimits', () => {
  it('refuses RISK_LIMITS_JSON whose allowance (30) is below the default offset (50), with risk’s message', () => {
    const config = { RISK_LIMITS_JSON: limits({ stopExitAllowanceBps: 30 }), STOP_LIMIT_OFFSET_BPS: 50 };
    expect(() => configuredLimits(config)).toThrow(ConfigError);
    expect(() => configuredLimits(config)).toThrow(refusal(30, 50));
  });

  it('refuses the default allowance (100) without RISK_LIMITS_JSON when STOP_LIMIT_OFFSET_BPS is 150', () => {
    expect(() => configuredLimits({ STOP_LIMIT_OFFSET_BPS: 150 })).toThrow(refusal(100, 150));
  });

  it('keeps limits that cover the offset, and the defaults under the default offset', () => {
    const covering = limits({ stopExitAllowanceBps: 150, dailyLoss: 0.03 });
    expect(configuredLimits({ RISK_LIMITS_JSON: covering, STOP_LIMIT_OFFSET_BPS: 150 })).toEqual(covering);
    expect(configuredLimits({ STOP_LIMIT_OFFSET_BPS: 50 })).toEqual(DEFAULT_RISK_LIMITS);
  });
});

describe('startGateway', () => {
  it('refuses to start before touching the bus, database or network when the limits do not cover the offset', async () => {
    const untouchable = new Proxy(
      {},
      {
        get: (_, name) => {
          throw new Error(`used ${String(name)}`);
        },
      },
    );
    const deps = {
      bus: untouchable,
      db: untouchable,
      clock: untouchable,
      ids: () => {
        throw new Error('used ids');
      },
      log: untouchable,
      metrics: untouchable,
      config: { RISK_LIMITS_JSON: limits({ stopExitAllowanceBps: 30 }), STOP_LIMIT_OFFSET_BPS: 50 },
    } as unknown as GatewayDeps;
    await expect(startGateway(deps)).rejects.toThrow(refusal(30, 50));
  });
});
