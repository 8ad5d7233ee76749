import { agentsConfigSchema } from '@ballast/agents';
import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigSchema, loadConfig } from '../../packages/service-kit/src/index';
import { gatewayConfigSchema } from '../../services/gateway/src/config';
import { marketDataConfigSchema } from '../../services/market-data/src/config';
import { ordersConfigSchema } from '../../services/orders/src/config';
import { reconConfigSchema } from '../../services/reconciliation/src/config';
import { riskConfigSchema } from '../../services/risk/src/config';
import { signalsConfigSchema } from '../../services/signals/src/config';
import { stopsConfigSchema } from '../../services/stops/src/config';
import { telegramConfigSchema } from '../../services/telegram/src/config';
import { baseConfigSchema, serviceConfigSchemas } from './config-schemas';

/**
 * Node's timers hold a signed 32-bit delay and fire a longer one after 1 ms. Each configuration's *_MS
 * variables, traced to their use: `timers` are waited with setTimeout, setInterval, AbortSignal.timeout,
 * a sleep or pg's query_timeout, and are refused beyond 2^31 − 1 ms; `compared` are only compared with a
 * clock (ages, TTLs, deadlines) or count polls of a fixed period, and a year there is a valid setting.
 */
interface Durations {
  schema: ConfigSchema;
  /** The variables the schema requires, set to something valid. */
  required?: Record<string, string>;
  timers: readonly string[];
  compared: readonly string[];
}

const CONFIGS: Record<string, Durations> = {
  'every service': {
    schema: baseConfigSchema,
    required: { SERVICE_NAME: 'svc' },
    timers: ['UPTIME_SAMPLE_MS', 'SHUTDOWN_TIMEOUT_MS', 'SOLE_PROCESS_RETRY_MS'],
    compared: [],
  },
  agents: { schema: agentsConfigSchema, timers: ['AGENT_TIMEOUT_MS'], compared: ['AGENT_BREAKER_OPEN_MS'] },
  gateway: {
    schema: gatewayConfigSchema,
    // The format of a scrypt hash, never a password's.
    required: {
      GATEWAY_USERS: JSON.stringify([
        {
          name: 'olivia',
          role: 'operator',
          scryptHash: 'scrypt$16384$8$1$c2FsdA==$AAAAAAAAAAAAAAAAAAAAAA==',
        },
      ]),
    },
    timers: ['GATEWAY_SSE_HEARTBEAT_MS'],
    compared: ['GATEWAY_SESSION_TTL_MS', 'GATEWAY_LOGIN_WINDOW_MS', 'GATEWAY_PUBLIC_RESULTS_TTL_MS'],
  },
  'market-data': {
    schema: marketDataConfigSchema,
    required: { VENUE: 'bybit', SYMBOLS: 'BTC/USDT' },
    timers: [
      'HEARTBEAT_TIMEOUT_MS',
      'HANDSHAKE_TIMEOUT_MS',
      'PLANNED_RECONNECT_MS',
      'RECONNECT_BASE_MS',
      'RECONNECT_CAP_MS',
      'REST_MIN_INTERVAL_MS',
      'REST_RETRY_BASE_MS',
      'BACKFILL_RETRY_BASE_MS',
      'BACKFILL_RETRY_CAP_MS',
      'SNAPSHOT_RETRY_BASE_MS',
      'SNAPSHOT_RETRY_CAP_MS',
      'BOOK_SNAPSHOT_TIMEOUT_MS',
      'REST_BAN_WAIT_MS',
    ],
    compared: ['STALE_AFTER_MS', 'DOWN_AFTER_MS', 'RECONNECT_STABLE_MS'],
  },
  orders: {
    schema: ordersConfigSchema,
    timers: ['LIVE_STRATEGIES_REFRESH_MS', 'TICK_MS', 'PAPER_LATENCY_MS'],
    // RETRY_BASE_MS: its backoff is capped at 10 s before the sleep. (ORDERS_RECV_WINDOW_MS has its own
    // bound, at most 60000.)
    compared: [
      'TWAP_DURATION_MS',
      'UNSENT_ENTRY_MAX_AGE_MS',
      'LOOP_IDLE_READ_MS',
      'ORDERS_BOOK_MAX_AGE_MS',
      'ORDERS_CLOCK_SKEW_MS',
      'RETRY_BASE_MS',
      // When a resting order is next looked up, compared with the clock at each loop pass.
      'ORDERS_OPEN_POLL_MS',
    ],
  },
  reconciliation: {
    schema: reconConfigSchema,
    timers: ['RECON_INTERVAL_MS', 'RECON_LOCK_RETRY_MS', 'RECON_LOCK_TIMEOUT_MS'],
    compared: ['RECON_IN_FLIGHT_GRACE_MS', 'RECON_FILL_WAIT_MS'],
  },
  risk: {
    schema: riskConfigSchema,
    timers: ['RISK_LIFECYCLE_REVIEW_MS', 'RISK_REST_BOOK_TIMEOUT_MS', 'RISK_REST_MARK_INTERVAL_MS'],
    compared: [
      'RISK_RECON_MAX_AGE_MS',
      'RISK_PENDING_TTL_MS',
      'RISK_BOOK_MAX_AGE_MS',
      'RISK_UNMARKED_GRACE_MS',
      'RISK_EQUITY_STORE_INTERVAL_MS',
    ],
  },
  signals: {
    schema: signalsConfigSchema,
    timers: ['SIGNALS_CYCLE_CHECK_MS'],
    compared: [
      'SIGNALS_HOUR_STATS_WAIT_MS',
      'SIGNALS_MAX_VECTOR_AGE_MS',
      'SIGNALS_MAX_QUEUE_MS',
      'SIGNALS_CYCLE_GRACE_MS',
    ],
  },
  stops: {
    schema: stopsConfigSchema,
    timers: ['VERIFY_INTERVAL_MS', 'COVERAGE_SAMPLE_MS', 'RETRY_BASE_MS'],
    compared: ['TRADE_RUN_GAP_MS', 'CLOSE_CONFIRM_MS', 'FLATTEN_HOLD_MAX_MS', 'PENDING_INTENT_MAX_AGE_MS'],
  },
  telegram: {
    schema: telegramConfigSchema,
    required: {
      TELEGRAM_BOT_TOKEN: '7000001:AAH5kTz0-Wq3bVx8nLp2YcR6dFm9sJe4uGt',
      TELEGRAM_ALLOWED_CHAT_IDS: '111',
    },
    timers: ['TELEGRAM_ALERT_WINDOW_MS', 'TELEGRAM_HEALTH_INTERVAL_MS', 'TELEGRAM_PROMETHEUS_INTERVAL_MS'],
    compared: ['TELEGRAM_CONFIRM_TTL_MS', 'TELEGRAM_CONTROL_ACK_TIMEOUT_MS'],
  },
};

/** Bounded by a rule of their own, tighter than a timer's. */
const OWN_BOUND = ['ORDERS_RECV_WINDOW_MS'];

const timers = Object.entries(CONFIGS).flatMap(([config, durations]) =>
  durations.timers.map((name) => ({ config, name, ...durations })),
);

describe('durations waited with a Node timer', () => {
  it.each(timers)(
    '$config refuses $name over 2147483647 ms, which a timer would fire after 1 ms, and takes it at that',
    ({ schema, required, name }) => {
      const load = (value: string) => loadConfig(schema, { ...required, [name]: value });
      expect(() => load('2147483648')).toThrow(ConfigError);
      expect(() => load('2147483648')).toThrow(`${name}: invalid (at most 2147483647 ms (about 24.8 days)`);
      expect(load('2147483647')).toMatchObject({ [name]: 2147483647 });
    },
  );

  it.each(Object.entries(CONFIGS))(
    '%s keeps no bound on durations only compared with a clock',
    (_, durations) => {
      const year = String(365 * 86_400_000);
      const env = {
        ...durations.required,
        ...Object.fromEntries(durations.compared.map((name) => [name, year])),
      };
      expect(() => loadConfig(durations.schema, env)).not.toThrow();
    },
  );

  it("traces every configuration's *_MS variable: waited with a timer, only compared, or bounded otherwise", () => {
    const schemas = { 'every service': baseConfigSchema, ...serviceConfigSchemas };
    const traced = new Set([
      ...OWN_BOUND,
      ...Object.values(CONFIGS).flatMap((durations) => [...durations.timers, ...durations.compared]),
    ]);
    const untraced = Object.values(schemas)
      .flatMap((schema) => Object.keys(schema.shape))
      .filter((name) => name.endsWith('_MS') && !traced.has(name));
    expect(untraced).toEqual([]);
  });
});
