import type { Clock } from '@ballast/contracts';
import { type Database, type NewSlice, OrderSliceRepository } from '@ballast/db';
import type { Kysely } from 'kysely';

/**
 * An intent is planned once, all its slices or none. A delivery of a decision or command whose intent
 * was already planned or refused (a redelivery after a lost ack, a restart before the ack, a second
 * consumer) records nothing, whatever the book or the TWAP settings say now: it would otherwise add
 * slices beside those sent. Slice 0 is the claim: every plan and every recorded refusal has one, and
 * (intent, slice) is unique, so of two concurrent deliveries the second's insert waits for the first's
 * commit and then conflicts. The rest of a plan is inserted in the same transaction, after its claim.
 */
export class IntentPlans {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /** Records the plan (slice 0 first) unless its intent has a slice 0; returns the slices recorded. */
  async plan(slices: readonly NewSlice[], status: 'planned' | 'sending'): Promise<number> {
    const claim = slices.find((s) => s.slice === 0);
    if (!claim) throw new Error(`plan of ${slices[0]?.intentId ?? 'nothing'} has no slice 0 to claim it`);
    // A direct order is its claim alone: one insert is atomic, no transaction (two statements fewer).
    if (slices.length === 1) return new OrderSliceRepository(this.db, this.clock).plan([claim], status);
    return this.db.transaction().execute(async (trx) => {
      const table = new OrderSliceRepository(trx, this.clock);
      if ((await table.plan([claim], status)) === 0) return 0;
      return (
        1 +
        (await table.plan(
          slices.filter((s) => s !== claim),
          status,
        ))
      );
    });
  }

  /**
   * Records an entry refused before any order (kill switch, slippage, strategy not live) as its
   * slice 0, rejected, so a later delivery of it is a repeat; false when the intent is recorded already.
   * Never seen `planned`: the insert and the verdict commit together.
   */
  async refuse(claim: NewSlice, detail: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const table = new OrderSliceRepository(trx, this.clock);
      if ((await table.plan([claim], 'planned')) === 0) return false;
      await table.update(claim.clientOrderId, { status: 'rejected', detail });
      return true;
    });
  }
}
