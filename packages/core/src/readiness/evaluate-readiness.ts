import type { ReadinessInputs } from './readiness-inputs';
import type { ReadinessThresholds } from './readiness-thresholds';

/** Every criterion of the go-live gate, one closed set, in the order they are reported. */
export const READINESS_CRITERIA = [
  'paper_days',
  'closed_trades',
  'sharpe',
  'max_drawdown',
  'expectancy',
  'stop_coverage',
  'uptime',
  'backtest',
] as const;
export type ReadinessCriterion = (typeof READINESS_CRITERIA)[number];

/** How `value` must compare with `threshold` to pass. */
export type Comparison = '>=' | '>' | '<';

export interface CriterionResult {
  criterion: ReadinessCriterion;
  ok: boolean;
  /** The measured figure; null when it could not be measured (never green). */
  value: number | null;
  threshold: number;
  comparison: Comparison;
  /** A figure to aim for beyond the pass mark (Sharpe only). */
  target?: number;
  /** Why a null figure is null, or what a composite figure stands for. */
  note?: string;
}

export interface ReadinessReport {
  ok: boolean;
  criteria: CriterionResult[];
}

function passes(value: number | null, comparison: Comparison, threshold: number): boolean {
  if (value === null || !Number.isFinite(value)) return false;
  if (comparison === '>=') return value >= threshold;
  if (comparison === '>') return value > threshold;
  return value < threshold;
}

function criterion(
  name: ReadinessCriterion,
  value: number | null,
  comparison: Comparison,
  threshold: number,
  extra: Pick<CriterionResult, 'target' | 'note'> = {},
): CriterionResult {
  return {
    criterion: name,
    ok: passes(value, comparison, threshold),
    value,
    threshold,
    comparison,
    ...extra,
  };
}

const noteOf = (note: string | undefined): Pick<CriterionResult, 'note'> => (note ? { note } : {});

/** A backtest passes when it traded, earned a positive expectancy and stayed inside the drawdown limit. */
function backtestResult(inputs: ReadinessInputs, t: ReadinessThresholds): CriterionResult {
  const b = inputs.backtest;
  if (!b) return criterion('backtest', null, '>', t.minExpectancy, { note: 'no backtest over the period' });
  const note = `${b.trades} trades, max drawdown ${b.maxDrawdownPct.toFixed(2)}%`;
  const result = criterion('backtest', b.expectancy, '>', t.minExpectancy, { note });
  return { ...result, ok: result.ok && b.trades > 0 && b.maxDrawdownPct < t.maxDrawdownPct };
}

/** Judges each criterion against its threshold; the gate is green only when every criterion is. */
export function evaluateReadiness(inputs: ReadinessInputs, thresholds: ReadinessThresholds): ReadinessReport {
  const t = thresholds;
  const equity = noteOf(inputs.equityNote);
  const criteria = [
    criterion('paper_days', inputs.paperDays, '>=', t.minPaperDays),
    criterion('closed_trades', inputs.closedTrades, '>=', t.minClosedTrades),
    criterion('sharpe', inputs.sharpe, '>', t.minSharpe, { target: t.targetSharpe, ...equity }),
    criterion('max_drawdown', inputs.maxDrawdownPct, '<', t.maxDrawdownPct, equity),
    criterion('expectancy', inputs.expectancy, '>', t.minExpectancy),
    criterion(
      'stop_coverage',
      inputs.stopCoveragePct,
      '>=',
      t.minStopCoveragePct,
      noteOf(inputs.stopCoverageNote),
    ),
    criterion('uptime', inputs.uptimePct, '>=', t.minUptimePct, noteOf(inputs.uptimeNote)),
    backtestResult(inputs, t),
  ];
  return { ok: criteria.every((c) => c.ok), criteria };
}

/** The criteria that are not green, by name. */
export function redCriteria(report: ReadinessReport): ReadinessCriterion[] {
  return report.criteria.filter((c) => !c.ok).map((c) => c.criterion);
}
