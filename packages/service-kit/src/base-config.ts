import { timerMs, timerMsOrZero } from '@ballast/contracts';
import { DEFAULT_UPTIME_SAMPLE_MS } from '@ballast/core';
import { z } from 'zod';
import { natsUrlVariable } from './nats-url-variable';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Variables every service reads; a service extends this with its own (`baseConfigSchema.extend({...})`). */
export const baseConfigSchema = z.object({
  SERVICE_NAME: z.string().min(1),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** One server, or a cluster's servers comma-separated (natsUrlVariable); the local server when unset. */
  NATS_URL: natsUrlVariable.optional(),
  DATABASE_URL: z.url().optional(),
  HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  // Loopback by default: health and metrics are exposed on purpose, not by accident.
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  BUS_PREFIX: z.string().min(1).optional(),
  /** Copies of each JetStream stream: 1 on one server, 3 on a three-node NATS cluster. */
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /**
   * How often a service records a health sample for the readiness gate's uptime (0: never). The gate
   * expects one per interval (`ballast readiness` reads the same variable): a service sampling less
   * often reads as down.
   */
  UPTIME_SAMPLE_MS: timerMsOrZero(DEFAULT_UPTIME_SAMPLE_MS),
  SHUTDOWN_TIMEOUT_MS: timerMs(25_000),
  /**
   * How often a risk, orders or stops process standing by tries its venue's lock again, and the holder
   * checks it still holds it (ADR 24).
   */
  SOLE_PROCESS_RETRY_MS: timerMs(5_000),
});

export type BaseConfig = z.output<typeof baseConfigSchema>;
