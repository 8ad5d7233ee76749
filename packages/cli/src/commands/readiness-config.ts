import { type BacktestConfigInput, parseBacktestConfig } from '@ballast/backtest';
import { ReadinessThresholds } from '@ballast/core';
import { readJsonFile } from './json-file';

/**
 * Fields the go-live gate's backtest never takes. The hour table as the deployment has it now is counted
 * from the very paper trades being judged: seeded into a backtest of that period it vetoes the hours that
 * lost in it, in-sample, and turns a losing backtest green.
 */
const REFUSED = ['hourStats', 'minHourTrades'] as const;

/** Where the gate's backtest may be cheaper or less reviewed than live: a loosened gate (`green_loosened`). */
const LOOSER_IF_LOWER = ['takerFee', 'makerFee', 'slippageBps'] as const;

/**
 * The `--config` of a readiness `--data` backtest, checked before any strategy is judged: every field
 * valid (by name), none the gate refuses. `source` names where it came from in the errors.
 */
export function gateBacktestConfig(input: unknown, source: string): BacktestConfigInput {
  const given = input && typeof input === 'object' ? Object.keys(input) : [];
  const refused = REFUSED.filter((k) => given.includes(k));
  if (refused.length > 0)
    throw new Error(
      `${source}: ${refused.join(', ')} refused for the go-live gate: the deployment's hour table is counted from the paper trades being judged, so the backtest would veto their losing hours in hindsight`,
    );
  try {
    parseBacktestConfig(input);
  } catch (err) {
    throw new Error(`${source}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return input as BacktestConfigInput;
}

/** `--config FILE` read as JSON, or an error naming the file. */
export function readGateConfigFile(file: string): BacktestConfigInput {
  return gateBacktestConfig(readJsonFile('--config', file), `--config ${file}`);
}

/**
 * `--thresholds FILE`: every key one the gate knows, every value in range, or one error naming the file
 * and each problem. A misspelt key was dropped silently, and its default judged a gate meant otherwise.
 */
export function readThresholdsFile(file: string): ReadinessThresholds {
  const parsed = ReadinessThresholds.strict().safeParse(readJsonFile('--thresholds', file));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new Error(`--thresholds ${file}: invalid thresholds: ${problems.join('; ')}`);
}

/** Each setting of the config looser than the default (live's unless told otherwise), as `name value (default d)`. */
export function looserBacktestConfig(input: BacktestConfigInput | undefined): string[] {
  if (!input) return [];
  const config = parseBacktestConfig(input);
  const base = parseBacktestConfig({});
  const looser = LOOSER_IF_LOWER.filter((k) => config[k] < base[k]).map(
    (k) => `${k} ${config[k]} (default ${base[k]})`,
  );
  // No reviewer is looser; the reviewers' recorded verdicts are live's own, and a candidate without one is rejected.
  if (config.agents === 'none') looser.push(`agents ${config.agents} (default ${base.agents})`);
  return looser;
}
