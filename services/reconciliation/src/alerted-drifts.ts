import type { BotStateRepository } from '@ballast/db';
import { z } from 'zod';

const Alerted = z.array(z.string());

/**
 * Drift keys already alerted on, kept while runs keep finding them: a drift that persists (a stop
 * still missing, an orphan stop left beside a position) is alerted once, not every run. Stored
 * (bot_state `recon.alerted-drifts.<venue>`), so a restart does not alert again either; a drift
 * found again after a run without it is alerted again.
 */
export class AlertedDrifts {
  private readonly key: string;

  constructor(
    private readonly state: BotStateRepository,
    venue: string,
  ) {
    this.key = `recon.alerted-drifts.${venue}`;
  }

  async isNew(driftKey: string): Promise<boolean> {
    return !(await this.all()).includes(driftKey);
  }

  /** Remembered only after its alert is out, so a failed one is sent again. */
  async remember(driftKey: string): Promise<void> {
    const all = await this.all();
    if (!all.includes(driftKey)) await this.state.set(this.key, [...all, driftKey]);
  }

  /** Forgets the drifts a run's first read no longer found. */
  async keepOnly(driftKeys: ReadonlySet<string>): Promise<void> {
    const all = await this.all();
    const kept = all.filter((k) => driftKeys.has(k));
    if (kept.length < all.length) await this.state.set(this.key, kept);
  }

  private async all(): Promise<string[]> {
    return (await this.state.get(this.key, Alerted))?.value ?? [];
  }
}
