export { createDb, type DbHandle, type DbOptions, DEFAULT_PGLITE_DIR, PGLITE_IN_MEMORY } from './create-db';
export type { Database } from './database';
export { DbError, type DbErrorReason } from './db-error';
export { type MigrationReport, migrate } from './migrate';
export { migrations } from './migrations';
export { redactUrl, urlSecrets } from './redact-url';
export { type AgentCallRecord, AgentCallRepository } from './repositories/agent-call-repository';
export {
  type AgentLesson,
  AgentLessonRepository,
  type LessonQuery,
} from './repositories/agent-lesson-repository';
export { BotStateRepository, type Parser, type StoredState } from './repositories/bot-state-repository';
export { BotStateValue } from './repositories/bot-state-value';
export { type CandleRange, CandleRepository, type SeriesKey } from './repositories/candle-repository';
export * from './repositories/closed-trade-repository';
export * from './repositories/config-change-repository';
export { EventJournal, type JournalEntry, type ReplayQuery } from './repositories/event-journal';
export * from './repositories/live-override-repository';
export * from './repositories/order-slice-repository';
export * from './repositories/paper-account-repository';
export * from './repositories/protective-stop-repository';
export * from './repositories/recon-repository';
export * from './repositories/risk-decided-repository';
export * from './repositories/service-uptime-repository';
export * from './repositories/signal-decision-repository';
export * from './repositories/signal-waiting-vector-repository';
export * from './repositories/stop-coverage-repository';
export {
  lockStrategyHourStats,
  type StrategyHourStats,
  StrategyHourStatsRepository,
} from './repositories/strategy-hour-stats-repository';
export { advisoryLockKey, SessionLock } from './session-lock';
export { candlesIsHypertable, timescaleUsable } from './timescale';
