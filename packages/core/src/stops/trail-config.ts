import type { TrailConfig } from './trailing-stop';

/** The trailing settings as configured (the stops service's TRAIL_* variables). */
export interface TrailSettings {
  TRAIL_MODE: 'off' | 'percent' | 'atr';
  TRAIL_PCT: number;
  TRAIL_ATR_MULTIPLE: number;
}

/** How far behind the best price the stop trails, from the configured mode and its one parameter. */
export function trailConfig(settings: TrailSettings): TrailConfig {
  if (settings.TRAIL_MODE === 'percent') return { mode: 'percent', pct: settings.TRAIL_PCT };
  if (settings.TRAIL_MODE === 'atr') return { mode: 'atr', multiple: settings.TRAIL_ATR_MULTIPLE };
  return { mode: 'off' };
}
