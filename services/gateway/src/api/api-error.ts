import type { Logger } from '@ballast/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Every refusal the gateway gives, by machine-readable code. */
export const API_ERRORS = {
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  csrf: 403,
  rate_limited: 429,
  bad_request: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_limits: 400,
  no_change: 409,
  not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  request_timeout: 408,
  range_not_satisfiable: 416,
  /** Any other 4xx Fastify refuses with: sent with that status, not this one. */
  client_error: 400,
  bus_unavailable: 503,
  internal_error: 500,
} as const;
export type ApiErrorCode = keyof typeof API_ERRORS;

/** The code for a 4xx Fastify (or a plugin) refused a request with, by its status. */
const CLIENT_ERRORS: Readonly<Record<number, ApiErrorCode>> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  416: 'range_not_satisfiable',
  429: 'rate_limited',
};

export const errorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string', enum: Object.keys(API_ERRORS) }, message: { type: 'string' } },
} as const;

export function refuse(reply: FastifyReply, error: ApiErrorCode, message: string): FastifyReply {
  return reply.code(API_ERRORS[error]).send({ error, message });
}

/**
 * Fastify's own refusals keep their status with a typed code (a body too large is not a malformed one,
 * a 405 is not a 400); a status without a code of its own is `client_error` with that status. Anything
 * else is a handler failure: logged, and a bare 500.
 */
export function handleGatewayError(
  log: Logger,
): (
  err: Error & { validation?: unknown; statusCode?: number },
  req: FastifyRequest,
  reply: FastifyReply,
) => FastifyReply {
  return (err, req, reply) => {
    if (err.validation) return refuse(reply, 'bad_request', err.message);
    const status = err.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const error = CLIENT_ERRORS[status] ?? 'client_error';
      return reply.code(status).send({ error, message: err.message });
    }
    log.error({ err, path: req.url.split('?')[0] }, 'gateway handler failed');
    return refuse(reply, 'internal_error', 'internal error');
  };
}
