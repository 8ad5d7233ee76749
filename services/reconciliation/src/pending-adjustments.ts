import { RecordFill } from '@ballast/contracts';
import { type BotStateRepository, BotStateValue } from '@ballast/db';
import { z } from 'zod';

const Pending = z.record(z.string(), RecordFill);

/**
 * Position adjustments asked of the orders service and not yet seen in our books, at most one per
 * symbol. Stored (bot_state `recon.pending-adjustments.<venue>`, checked on read), so a restart of
 * reconciliation still knows what it asked for and does not ask for a second one beside it.
 */
export class PendingAdjustments {
  private readonly stored: BotStateValue<Record<string, RecordFill>>;

  constructor(state: BotStateRepository, venue: string) {
    this.stored = new BotStateValue(state, `recon.pending-adjustments.${venue}`, Pending, {});
  }

  async get(symbol: string): Promise<RecordFill | undefined> {
    return (await this.all())[symbol];
  }

  async remember(command: RecordFill): Promise<void> {
    await this.stored.save({ ...(await this.all()), [command.symbol]: command });
  }

  async forget(symbol: string): Promise<void> {
    const all = await this.all();
    if (!(symbol in all)) return;
    delete all[symbol];
    await this.stored.save(all);
  }

  private async all(): Promise<Record<string, RecordFill>> {
    return { ...(await this.stored.load()) };
  }
}
