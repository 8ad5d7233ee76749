/**
 * Why a backtest refused to run or to report; one closed set. `not_flat`: the end-of-data close left a
 * position open, which the trade list and its figures would leave out.
 */
export type BacktestErrorReason = 'bad_input' | 'no_data' | 'bad_config' | 'stalled' | 'not_flat';

export class BacktestError extends Error {
  override readonly name = 'BacktestError';
  constructor(
    readonly reason: BacktestErrorReason,
    message: string,
  ) {
    super(message);
  }
}
