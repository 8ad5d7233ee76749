import type { RiskLimits } from '@ballast/core';
import type { BacktestConfigInput } from '../backtest-config';
import { BacktestError } from '../backtest-error';

const HOUR_MS = 3_600_000;

/** Named loss-streak pause ladders the grid can try (risk limits' `lossStreakPauses`). */
export const LOSS_STREAK_VARIANTS = {
  off: [],
  default: [
    { losses: 2, pauseMs: 2 * HOUR_MS },
    { losses: 3, pauseMs: 6 * HOUR_MS },
    { losses: 4, pauseMs: 24 * HOUR_MS },
  ],
  strict: [
    { losses: 2, pauseMs: 12 * HOUR_MS },
    { losses: 3, pauseMs: 48 * HOUR_MS },
  ],
} as const satisfies Record<string, RiskLimits['lossStreakPauses']>;
export type LossStreakVariant = keyof typeof LOSS_STREAK_VARIANTS;
export const LOSS_STREAK_VARIANT_NAMES = Object.keys(LOSS_STREAK_VARIANTS) as LossStreakVariant[];

/** One point of the grid. */
export interface ParamSet {
  /** Stop distance in ATRs (strategies.levels.stopAtr). */
  stopAtr: number;
  lossStreak: LossStreakVariant;
}

export interface GridSpec {
  stopAtr: number[];
  lossStreak: LossStreakVariant[];
}

/** `from`, `from + step`, … up to `to` inclusive; rounded so 1.5 + 4 × 0.5 lands on 3.5 exactly. */
export function steppedRange(from: number, to: number, step: number): number[] {
  if (!(step > 0) || !Number.isFinite(from) || !Number.isFinite(to) || to < from)
    throw new BacktestError('bad_config', `bad range ${from}–${to} step ${step}`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  return Array.from({ length: count }, (_, i) => Number((from + i * step).toFixed(10)));
}

/** Every combination, stop multiple major, in the order given. */
export function expandGrid(spec: GridSpec): ParamSet[] {
  if (spec.stopAtr.length === 0 || spec.lossStreak.length === 0)
    throw new BacktestError('bad_config', 'the parameter grid is empty');
  for (const v of spec.lossStreak)
    if (!(v in LOSS_STREAK_VARIANTS))
      throw new BacktestError(
        'bad_config',
        `unknown loss-streak variant ${v}; known: ${LOSS_STREAK_VARIANT_NAMES.join(', ')}`,
      );
  return spec.stopAtr.flatMap((stopAtr) => spec.lossStreak.map((lossStreak) => ({ stopAtr, lossStreak })));
}

/** The backtest config with one grid point written over the base config's own settings. */
export function applyParams(base: BacktestConfigInput, params: ParamSet): BacktestConfigInput {
  const strategies = base.strategies ?? {};
  return {
    ...base,
    strategies: { ...strategies, levels: { ...(strategies.levels ?? {}), stopAtr: params.stopAtr } },
    riskLimits: {
      ...(base.riskLimits ?? {}),
      lossStreakPauses: LOSS_STREAK_VARIANTS[params.lossStreak].map((s) => ({ ...s })),
    },
  };
}

export const paramLabel = (p: ParamSet): string => `stop ${p.stopAtr} ATR, loss-streak ${p.lossStreak}`;
