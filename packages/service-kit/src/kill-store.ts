import { KILL_RELEASED, KillState } from '@ballast/core';
import { type BotStateRepository, BotStateValue } from '@ballast/db';

/** The kill switch as one service persists it (bot_state key `kill:<service>`); released until first saved. */
export class KillStore extends BotStateValue<KillState> {
  constructor(state: BotStateRepository, service: string) {
    super(state, `kill:${service}`, KillState, KILL_RELEASED);
  }
}
