import type { Migration } from 'kysely';
import * as candles from './0001-candles';
import * as candlesHypertable from './0002-candles-hypertable';
import * as botState from './0003-bot-state';
import * as eventJournal from './0004-event-journal';
import * as agentCalls from './0100-agent-calls';
import * as agentLessons from './0101-agent-lessons';
import * as agentCallEstimatedCost from './0102-agent-call-estimated-cost';
import * as orderSlices from './0200-order-slices';
import * as paperAccount from './0201-paper-account';
import * as closedTrades from './0202-closed-trades';
import * as closedTradeFees from './0203-closed-trade-fees';
import * as closedTradeEntryTime from './0204-closed-trade-entry-time';
import * as orderSliceCorrelation from './0205-order-slice-correlation';
import * as paperOrdersByVenueOrderId from './0206-paper-orders-by-venue-order-id';
import * as orderSliceFillsIndex from './0207-order-slice-fills-index';
import * as orderSliceSentAt from './0208-order-slice-sent-at';
import * as orderSlicesByMarket from './0209-order-slices-by-market';
import * as orderSliceAnnouncedFills from './0210-order-slice-announced-fills';
import * as orderSliceEntryBounds from './0211-order-slice-entry-bounds';
import * as protectiveStops from './0250-protective-stops';
import * as strategyHourStats from './0300-strategy-hour-stats';
import * as riskDecidedIntents from './0301-risk-decided-intents';
import * as signalDecisions from './0302-signal-decisions';
import * as signalWaitingVectors from './0303-signal-waiting-vectors';
import * as serviceUptimeSamples from './0400-service-uptime-samples';
import * as stopCoverageSamples from './0401-stop-coverage-samples';
import * as liveOverrides from './0402-live-overrides';
import * as liveOverrideExpiry from './0410-live-override-expiry';
import * as liveOverrideExpiryBackfill from './0411-live-override-expiry-backfill';
import * as serviceUptimeVenue from './0412-service-uptime-venue';
import * as reconState from './0500-recon-state';
import * as reconLog from './0501-recon-log';
import * as reconStateHistoryBefore from './0502-recon-state-history-before';
import * as reconStateBaselineAt from './0503-recon-state-baseline-at';
import * as reconLogAppliedByAction from './0504-recon-log-applied-by-action';
import * as controlActions from './0600-control-actions';
import * as configChanges from './0650-config-changes';

/**
 * Every migration, in code so it ships with the package (no file-system scan at run time).
 * The Migrator runs them in name order; to add one, write `000N-<what>.ts` and list it here.
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_candles': candles,
  '0002_candles_hypertable': candlesHypertable,
  '0003_bot_state': botState,
  '0004_event_journal': eventJournal,
  '0100_agent_calls': agentCalls,
  '0101_agent_lessons': agentLessons,
  '0102_agent_call_estimated_cost': agentCallEstimatedCost,
  '0200_order_slices': orderSlices,
  '0201_paper_account': paperAccount,
  '0202_closed_trades': closedTrades,
  '0203_closed_trade_fees': closedTradeFees,
  '0204_closed_trade_entry_time': closedTradeEntryTime,
  '0205_order_slice_correlation': orderSliceCorrelation,
  '0206_paper_orders_by_venue_order_id': paperOrdersByVenueOrderId,
  '0207_order_slice_fills_index': orderSliceFillsIndex,
  '0208_order_slice_sent_at': orderSliceSentAt,
  '0209_order_slices_by_market': orderSlicesByMarket,
  '0210_order_slice_announced_fills': orderSliceAnnouncedFills,
  '0211_order_slice_entry_bounds': orderSliceEntryBounds,
  '0250_protective_stops': protectiveStops,
  '0300_strategy_hour_stats': strategyHourStats,
  '0301_risk_decided_intents': riskDecidedIntents,
  '0302_signal_decisions': signalDecisions,
  '0303_signal_waiting_vectors': signalWaitingVectors,
  '0400_service_uptime_samples': serviceUptimeSamples,
  '0401_stop_coverage_samples': stopCoverageSamples,
  '0402_live_overrides': liveOverrides,
  '0410_live_override_expiry': liveOverrideExpiry,
  '0411_live_override_expiry_backfill': liveOverrideExpiryBackfill,
  '0412_service_uptime_venue': serviceUptimeVenue,
  '0500_recon_state': reconState,
  '0501_recon_log': reconLog,
  '0502_recon_state_history_before': reconStateHistoryBefore,
  '0503_recon_state_baseline_at': reconStateBaselineAt,
  '0504_recon_log_applied_by_action': reconLogAppliedByAction,
  '0600_control_actions': controlActions,
  '0650_config_changes': configChanges,
};
