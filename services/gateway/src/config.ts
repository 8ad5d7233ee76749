import { RiskLimits } from '@ballast/core';
import { jsonVariable, stopLimitOffsetVariables, timerMs } from '@ballast/service-kit';
import { z } from 'zod';
import { parseUsers, type User } from './auth/users';

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/**
 * The gateway's own variables. `GATEWAY_USERS` (or `GATEWAY_USERS_FILE`, the usual way) holds
 * `[{ name, role: 'viewer' | 'operator', scryptHash }]`; see `pnpm --filter @ballast/gateway-service hash-password`.
 */
export const gatewayConfigSchema = z.object({
  GATEWAY_USERS: z.string().transform((text, ctx): ReadonlyMap<string, User> => {
    try {
      return parseUsers(text, 'GATEWAY_USERS');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
  // Loopback by default: exposing the dashboard is a deliberate act (behind a TLS proxy).
  GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65_535).default(8090),
  /** Marks the session cookie Secure (and `__Host-`): set when the browser reaches us over TLS. */
  GATEWAY_SECURE_COOKIES: flag.default(false),
  /** Take the client address from X-Forwarded-For (only behind a proxy you run). */
  GATEWAY_TRUST_PROXY: flag.default(false),
  GATEWAY_SESSION_TTL_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(12 * 3_600_000),
  /** A comment line on every live-event stream this often; the stream's session is checked then too. */
  GATEWAY_SSE_HEARTBEAT_MS: timerMs(15_000),
  GATEWAY_LOGIN_WINDOW_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 60_000),
  GATEWAY_LOGIN_MAX_PER_IP: z.coerce.number().int().positive().default(20),
  /** Also the wrong passwords in a row that lock a user name: the window, then twice as long each time (LoginRateLimiter). */
  GATEWAY_LOGIN_MAX_PER_USER: z.coerce.number().int().positive().default(5),
  /**
   * Who must answer every kill and resume (control.ack): a service (each venue's answers it) or
   * `service@exchange`, comma-separated, as `ballast kill --services`. The dashboard names those that have not.
   */
  GATEWAY_CONTROL_SERVICES: z
    .string()
    .default('risk,orders')
    .transform((text, ctx): readonly string[] => {
      const entries = [
        ...new Set(
          text
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ];
      if (entries.length === 0) {
        ctx.addIssue({ code: 'custom', message: 'name at least one service to wait for (risk,orders)' });
        return z.NEVER;
      }
      return entries;
    }),
  /** Built dashboard assets; built from `web/` at start when missing. */
  GATEWAY_WEB_DIR: z.string().min(1).optional(),
  /** The paper account's starting equity: base of the equity curve (drawdown and readiness read risk's stored equity; this only until risk has stored one). */
  GATEWAY_INITIAL_EQUITY: z.coerce.number().positive().default(10_000),
  /** Serve the public results page (`/public`) and its API without login: P&L only, nothing identifying. */
  GATEWAY_PUBLIC_RESULTS: flag.default(false),
  GATEWAY_PUBLIC_RESULTS_TTL_MS: z.coerce.number().int().positive().default(60_000),
  /** The risk service's limits, to show headroom against; same format as the risk service's variable. */
  RISK_LIMITS_JSON: jsonVariable(RiskLimits).optional(),
  /**
   * The stops service's stop-limit offset, read as the risk service reads it: risk limits an operator
   * changes here must have stopExitAllowanceBps at least this, else risk would refuse them on reload and
   * keep the old ones.
   */
  ...stopLimitOffsetVariables,
  /** Other services' /readyz URLs by name, e.g. `{"risk":"http://127.0.0.1:8081/readyz"}`. */
  GATEWAY_HEALTH_URLS: jsonVariable(z.record(z.string(), z.url())).default({}),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
