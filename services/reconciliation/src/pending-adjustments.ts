import { RecordFill } from '@ballast/contracts';
import type { BotStateRepository } from '@ballast/db';
import { z } from 'zod';

const Pending = z.record(z.string(), RecordFill);

/**
 * Position adjustments asked of the orders service and not yet seen in our books, at most one per
 * symbol. Stored (bot_state `recon.pending-adjustments.<venue>`, checked on read), so a restart of
 * reconciliation still knows what it asked for and does not ask for a second one beside it.
 */
export class PendingAdjustments {
  private readonly key: string;

  constructor(
    private readonly state: BotStateRepository,
    venue: string,
  ) {
    this.key = `recon.pending-adjustments.${venue}`;
  }

  async get(symbol: string): Promise<RecordFill | undefined> {
    return (await this.all())[symbol];
  }

  async remember(command: RecordFill): Promise<void> {
    await this.state.set(this.key, { ...(await this.all()), [command.symbol]: command });
  }

  async forget(symbol: string): Promise<void> {
    const all = await this.all();
    if (!(symbol in all)) return;
    delete all[symbol];
    await this.state.set(this.key, all);
  }

  private async all(): Promise<Record<string, RecordFill>> {
    return { ...(await this.state.get(this.key, Pending))?.value };
  }
}
