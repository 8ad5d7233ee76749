import { describe, expect, it } from 'vitest';
import { evaluateReadiness } from './evaluate-readiness';
import { DEFAULT_READINESS_THRESHOLDS } from './readiness-thresholds';
import { expectedSamples, requiredProcesses, serviceUptime, TRADING_SERVICES } from './service-uptime';

const MIN = 60_000;
const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const NOW = START + 40 * DAY;

/** Every trading service healthy at every minute of `days` days. */
const healthyFor = (days: number): Record<string, number> =>
  Object.fromEntries(TRADING_SERVICES.map((s) => [s, (days * DAY) / MIN]));

describe('serviceUptime', () => {
  it('counts the minutes nothing was sampled: 2 days of samples in 40 days is 5 %, red', () => {
    const figure = serviceUptime(healthyFor(2), START, NOW, MIN);
    expect(figure.pct).toBeCloseTo((2 * 1440 * 100) / (40 * 1440 + 1), 10);
    expect(figure.pct).toBeCloseTo(5, 2);
    const report = evaluateReadiness(
      {
        paperDays: 40,
        closedTrades: 40,
        sharpe: 1,
        maxDrawdownPct: 1,
        expectancy: 1,
        stopCoveragePct: 100,
        uptimePct: figure.pct,
        backtest: null,
      },
      DEFAULT_READINESS_THRESHOLDS,
    );
    expect(report.criteria.find((c) => c.criterion === 'uptime')).toMatchObject({ ok: false });
  });

  it('is the weakest trading service; one without samples is 0 %, whatever gateway and telegram wrote', () => {
    const samples: Record<string, number> = {
      ...healthyFor(40),
      signals: (20 * DAY) / MIN,
      gateway: 57_601,
      telegram: 57_601,
    };
    expect(serviceUptime(samples, START, NOW, MIN)).toMatchObject({ weakest: 'signals' });
    expect(serviceUptime(samples, START, NOW, MIN).pct).toBeCloseTo(50, 2);
    const { stops: _, ...withoutStops } = samples;
    expect(serviceUptime(withoutStops, START, NOW, MIN)).toMatchObject({ pct: 0, weakest: 'stops' });
  });

  it('is full with a sample at every boundary, counting both ends', () => {
    expect(expectedSamples(START, START + 10 * MIN, MIN)).toBe(11);
    expect(expectedSamples(START + 1, START + 10 * MIN - 1, MIN)).toBe(9);
    expect(serviceUptime(healthyFor(40), START, NOW, MIN).pct).toBeCloseTo(100, 2);
    expect(serviceUptime({}, START, START - 1, MIN)).toEqual({ pct: null, services: [], weakest: null });
  });

  it("requires each venue's risk, orders and stops, and the other trading services once", () => {
    expect(requiredProcesses([])).toEqual([...TRADING_SERVICES]);
    expect(requiredProcesses(['binance', 'kraken'])).toEqual([
      'market-data',
      'features',
      'signals',
      'risk@binance',
      'risk@kraken',
      'orders@binance',
      'orders@kraken',
      'stops@binance',
      'stops@kraken',
    ]);
  });
});
