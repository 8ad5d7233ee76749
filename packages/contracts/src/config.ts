import { z } from 'zod';

/**
 * bot_state keys of the configuration operators change while the services run (gateway, cli). The value
 * stays in the database; `config.changed` only says which key to read again.
 */
export const CONFIG_KEYS = {
  riskLimits: 'config:risk_limits',
  strategies: 'config:strategies_enabled',
} as const;

export const ConfigKey = z.enum([CONFIG_KEYS.riskLimits, CONFIG_KEYS.strategies]);
export type ConfigKey = z.infer<typeof ConfigKey>;

/** A configuration change was recorded (config_changes row `changeId`) and its new value stored at `key`. */
export const ConfigChanged = z.object({
  key: ConfigKey,
  changeId: z.string().min(1),
});
export type ConfigChanged = z.infer<typeof ConfigChanged>;
