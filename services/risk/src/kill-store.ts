import { KILL_RELEASED, KillState } from '@ballast/core';
import type { BotStateRepository } from '@ballast/db';

/** The kill switch as one service persists it (bot_state key `kill:<service>`). */
export class KillStore {
  constructor(
    private readonly repo: BotStateRepository,
    private readonly service: string,
  ) {}

  async load(): Promise<KillState> {
    return (await this.repo.get(`kill:${this.service}`, KillState))?.value ?? KILL_RELEASED;
  }

  save(state: KillState): Promise<void> {
    return this.repo.set(`kill:${this.service}`, state);
  }
}
