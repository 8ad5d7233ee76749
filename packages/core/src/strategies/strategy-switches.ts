import { z } from 'zod';

/**
 * Strategies operators switched on or off, by name, as stored under `CONFIG_KEYS.strategies`; a strategy
 * not named is on. The gateway writes it and the signals service reads it with this one schema.
 */
export const StrategySwitches = z.record(z.string().min(1), z.boolean());
export type StrategySwitches = z.infer<typeof StrategySwitches>;

export function strategyEnabled(switches: StrategySwitches, name: string): boolean {
  return switches[name] ?? true;
}
