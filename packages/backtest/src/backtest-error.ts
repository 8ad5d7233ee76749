/** Why a backtest refused to run; one closed set. */
export type BacktestErrorReason = 'bad_input' | 'no_data' | 'bad_config' | 'stalled';

export class BacktestError extends Error {
  override readonly name = 'BacktestError';
  constructor(
    readonly reason: BacktestErrorReason,
    message: string,
  ) {
    super(message);
  }
}
