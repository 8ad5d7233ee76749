import { type BotStateRepository, BotStateValue } from '@ballast/db';
import { z } from 'zod';

const Flagged = z.record(z.string(), z.number());

/**
 * Balance differences already alerted on, per asset, until a run no longer finds one for the asset
 * (its baseline followed the venue). A run that could not move the baseline finds the same
 * difference again: it is not alerted twice. Stored (bot_state `recon.flagged-balances.<venue>`), so
 * a restart of reconciliation does not alert again either; a new difference is alerted.
 */
export class FlaggedBalances {
  private readonly stored: BotStateValue<Record<string, number>>;

  constructor(state: BotStateRepository, venue: string) {
    this.stored = new BotStateValue(state, `recon.flagged-balances.${venue}`, Flagged, {});
  }

  /** Whether `difference` for `asset` is not the one already alerted on. */
  async isNew(asset: string, difference: number): Promise<boolean> {
    return (await this.all())[asset] !== difference;
  }

  /** Remembers `difference` for `asset` as alerted on: only after its alert is out, so a failed one is sent again. */
  async remember(asset: string, difference: number): Promise<void> {
    await this.stored.save({ ...(await this.all()), [asset]: difference });
  }

  /** Forgets the assets a run found no balance difference for. */
  async keepOnly(assets: ReadonlySet<string>): Promise<void> {
    const all = await this.all();
    const kept = Object.fromEntries(Object.entries(all).filter(([asset]) => assets.has(asset)));
    if (Object.keys(kept).length < Object.keys(all).length) await this.stored.save(kept);
  }

  private async all(): Promise<Record<string, number>> {
    return { ...(await this.stored.load()) };
  }
}
