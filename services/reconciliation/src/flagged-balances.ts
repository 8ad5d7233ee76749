import type { BotStateRepository } from '@ballast/db';
import { z } from 'zod';

const Flagged = z.record(z.string(), z.number());

/**
 * Balance differences already alerted on, per asset, until a run no longer finds one for the asset
 * (its baseline followed the venue). A run that could not move the baseline finds the same
 * difference again: it is not alerted twice. Stored (bot_state `recon.flagged-balances.<venue>`), so
 * a restart of reconciliation does not alert again either; a new difference is alerted.
 */
export class FlaggedBalances {
  private readonly key: string;

  constructor(
    private readonly state: BotStateRepository,
    venue: string,
  ) {
    this.key = `recon.flagged-balances.${venue}`;
  }

  /** Whether `difference` for `asset` is not the one already alerted on. */
  async isNew(asset: string, difference: number): Promise<boolean> {
    return (await this.all())[asset] !== difference;
  }

  /** Remembers `difference` for `asset` as alerted on: only after its alert is out, so a failed one is sent again. */
  async remember(asset: string, difference: number): Promise<void> {
    await this.state.set(this.key, { ...(await this.all()), [asset]: difference });
  }

  /** Forgets the assets a run found no balance difference for. */
  async keepOnly(assets: ReadonlySet<string>): Promise<void> {
    const all = await this.all();
    const kept = Object.fromEntries(Object.entries(all).filter(([asset]) => assets.has(asset)));
    if (Object.keys(kept).length < Object.keys(all).length) await this.state.set(this.key, kept);
  }

  private async all(): Promise<Record<string, number>> {
    return { ...(await this.state.get(this.key, Flagged))?.value };
  }
}
