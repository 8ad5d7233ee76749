import { BacktestError } from '../backtest-error';

const isoMinute = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** Half-open time window [from, to), epoch ms on candle open time. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** One walk-forward step: parameters are chosen on `inSample` and judged on the window after it. */
export interface WalkForwardFold {
  index: number;
  inSample: TimeWindow;
  outOfSample: TimeWindow;
}

/**
 * Splits [from, to) into `windows` consecutive windows of whole steps (the last takes the remainder)
 * and pairs each window with the next: windows − 1 folds, each out-of-sample window starting where
 * its in-sample window ends.
 */
export function splitWindows(from: number, to: number, windows: number, stepMs: number): TimeWindow[] {
  if (!Number.isInteger(windows) || windows < 2)
    throw new BacktestError('bad_config', `walk-forward needs at least 2 windows, got ${windows}`);
  if (to <= from)
    throw new BacktestError(
      'bad_input',
      `the range is empty: to ${isoMinute(to)} is not after from ${isoMinute(from)}`,
    );
  const steps = Math.floor((to - from) / stepMs);
  const per = Math.floor(steps / windows);
  if (per < 1)
    throw new BacktestError('bad_config', `range too short for ${windows} windows of at least one step`);
  return Array.from({ length: windows }, (_, i) => ({
    from: from + i * per * stepMs,
    to: i === windows - 1 ? to : from + (i + 1) * per * stepMs,
  }));
}

export function planWalkForward(
  from: number,
  to: number,
  windows: number,
  stepMs: number,
): WalkForwardFold[] {
  const split = splitWindows(from, to, windows, stepMs);
  return split.slice(0, -1).map((inSample, index) => ({
    index,
    inSample,
    outOfSample: split[index + 1]!,
  }));
}
