import {
  defaultStrategies,
  HourExpectancyTable,
  SignalEngine,
  StrategiesConfig,
  VetoConfig,
} from '@ballast/core';

/**
 * The engine the service runs on its default configuration and an empty hour table: what it will propose
 * (ranking each vector alone, unless a universe is given).
 */
export function defaultSignalEngine(universe?: readonly string[]): SignalEngine {
  return new SignalEngine({
    strategies: defaultStrategies(StrategiesConfig.parse({})),
    vetoes: VetoConfig.parse({}),
    hours: new HourExpectancyTable([]),
    ...(universe ? { universe } : {}),
  });
}
