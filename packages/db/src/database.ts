import type * as agentCalls from './tables/agent-calls';
import type * as agentLessons from './tables/agent-lessons';
import type * as botState from './tables/bot-state';
import type * as candles from './tables/candles';
import type * as closedTrades from './tables/closed-trades';
import type * as configChanges from './tables/config-changes';
import type * as controlActions from './tables/control-actions';
import type * as eventJournal from './tables/event-journal';
import type * as liveOverrides from './tables/live-overrides';
import type * as orderSlices from './tables/order-slices';
import type * as paperAccount from './tables/paper-account';
import type * as protectiveStops from './tables/protective-stops';
import type * as reconLog from './tables/recon-log';
import type * as reconState from './tables/recon-state';
import type * as riskDecidedIntents from './tables/risk-decided-intents';
import type * as serviceUptimeSamples from './tables/service-uptime-samples';
import type * as signalDecisions from './tables/signal-decisions';
import type * as signalWaitingVectors from './tables/signal-waiting-vectors';
import type * as stopCoverageSamples from './tables/stop-coverage-samples';
import type * as strategyHourStats from './tables/strategy-hour-stats';

/** The one schema type: every table's file contributes its PartialDB here. */
export type Database = candles.PartialDB &
  botState.PartialDB &
  eventJournal.PartialDB &
  orderSlices.PartialDB &
  paperAccount.PartialDB &
  closedTrades.PartialDB &
  protectiveStops.PartialDB &
  agentCalls.PartialDB &
  agentLessons.PartialDB &
  strategyHourStats.PartialDB &
  riskDecidedIntents.PartialDB &
  signalDecisions.PartialDB &
  signalWaitingVectors.PartialDB &
  serviceUptimeSamples.PartialDB &
  stopCoverageSamples.PartialDB &
  liveOverrides.PartialDB &
  reconState.PartialDB &
  reconLog.PartialDB &
  controlActions.PartialDB &
  configChanges.PartialDB;
