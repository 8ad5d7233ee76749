/** Test helpers for other packages' tests (`@ballast/db/testing`); they need DATABASE_URL (testkit). */

export { type BotStateBed, botStateBed } from './bot-state-bed';
export { readBotStateRow, writeBotStateRow } from './bot-state-rows';
export { expectInvalidState } from './invalid-state';
export { type MigratedTestDb, migratedTestDb } from './migrated-test-db';
export { btcSlice } from './new-slice';
