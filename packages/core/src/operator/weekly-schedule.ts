const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface WeeklySchedule {
  /** 0 = Sunday … 6 = Saturday, UTC. */
  weekday: number;
  /** Hour of the day, UTC. */
  hour: number;
}

export const SUNDAY_EVENING_UTC: WeeklySchedule = { weekday: 0, hour: 18 };

/** The first scheduled instant strictly after `after` (epoch ms). */
export function nextWeeklyRun(after: number, schedule: WeeklySchedule): number {
  const midnight = Math.floor(after / DAY_MS) * DAY_MS;
  const today = new Date(midnight).getUTCDay();
  const days = (schedule.weekday - today + 7) % 7;
  const candidate = midnight + days * DAY_MS + schedule.hour * HOUR_MS;
  return candidate > after ? candidate : candidate + 7 * DAY_MS;
}
