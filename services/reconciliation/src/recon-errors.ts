import { type SharedAsset, sharedAssetProblem } from '@ballast/core';

/**
 * A run that cannot compare the venue with our records safely: it is reported `unknown` and nothing
 * is corrected. The message says why, for the operator.
 */
export class ReconRefusal extends Error {}

/**
 * Trades kept landing between the trade and balance reads: balances that do not reflect the trades
 * read would set a position wrongly (and the next run would buy it back).
 */
export class InconsistentVenueRead extends ReconRefusal {
  override readonly name = 'InconsistentVenueRead';
  constructor(readonly attempts: number) {
    super(
      `trades kept landing while the venue's balances were read (${attempts} reads in a row); nothing is corrected from a read whose balances may not reflect its trades; read again next run`,
    );
  }
}

/**
 * The markets read (those configured and those our orders traded) include two that move one asset's
 * balance: a position set from that balance would be invented in one market and taken from another.
 */
export class SharedAssetMarkets extends ReconRefusal {
  override readonly name = 'SharedAssetMarkets';
  constructor(readonly shared: readonly SharedAsset[]) {
    super(shared.map(sharedAssetProblem).join('; '));
  }
}

/**
 * A `recon.request` reached a process whose venue lock was found lost: it runs nothing, and the request
 * is failed (not acknowledged) so that the durable delivers it again, to the process that holds the lock.
 */
export class LockLost extends Error {
  override readonly name = 'LockLost';
  readonly reason = 'lock_lost';
  constructor(readonly venue: string) {
    super(`not reconciling ${venue}: its reconciliation lock is lost; the request is left for the holder`);
  }
}
