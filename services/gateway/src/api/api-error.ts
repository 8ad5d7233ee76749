import type { FastifyReply } from 'fastify';

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
  bus_unavailable: 503,
  internal_error: 500,
} as const;
export type ApiErrorCode = keyof typeof API_ERRORS;

export const errorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string', enum: Object.keys(API_ERRORS) }, message: { type: 'string' } },
} as const;

export function refuse(reply: FastifyReply, error: ApiErrorCode, message: string): FastifyReply {
  return reply.code(API_ERRORS[error]).send({ error, message });
}
