import type { RpcEndpoint } from '@ballast/contracts';
import { z } from 'zod';
import type { BusLogger } from './bus';
import { BusError } from './bus-error';
import { errorText } from './delivery';
import { describeIssues } from './zod-issues';

/** Reply frame of request/reply: a result, or why the server refused. */
const Reply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({
    ok: z.literal(false),
    reason: z.enum(['invalid_request', 'invalid_response', 'remote_error']),
    message: z.string(),
  }),
]);
type Reply = z.infer<typeof Reply>;

/** Client side: refuses an invalid request before it leaves. */
export function encodeRequest<Req, Res>(endpoint: RpcEndpoint<Req, Res>, request: Req): string {
  const parsed = endpoint.request.safeParse(request);
  if (!parsed.success) {
    throw new BusError(
      'invalid_request',
      `invalid request for ${endpoint.subject}: ${describeIssues(parsed.error)}`,
    );
  }
  return JSON.stringify(parsed.data);
}

/** Client side: turns a reply frame into the result or a typed error. */
export function decodeReply<Req, Res>(endpoint: RpcEndpoint<Req, Res>, raw: string): Res {
  let frame: Reply;
  try {
    frame = Reply.parse(JSON.parse(raw));
  } catch (err) {
    throw new BusError('invalid_response', `unreadable reply from ${endpoint.subject}: ${errorText(err)}`);
  }
  if (!frame.ok) throw new BusError(frame.reason, `${endpoint.subject}: ${frame.message}`);
  const result = endpoint.response.safeParse(frame.result);
  if (!result.success) {
    throw new BusError(
      'invalid_response',
      `invalid response from ${endpoint.subject}: ${describeIssues(result.error)}`,
    );
  }
  return result.data;
}

/** Server side: validates, runs the handler, validates its answer; always returns a frame. */
export async function answerRequest<Req, Res>(
  endpoint: RpcEndpoint<Req, Res>,
  raw: string,
  handler: (request: Req) => Promise<Res> | Res,
  log: BusLogger,
): Promise<string> {
  const frame = await answer(endpoint, raw, handler);
  if (!frame.ok)
    log.warn(
      { subject: endpoint.subject, reason: frame.reason, error: frame.message },
      'bus: request refused',
    );
  return JSON.stringify(frame);
}

async function answer<Req, Res>(
  endpoint: RpcEndpoint<Req, Res>,
  raw: string,
  handler: (request: Req) => Promise<Res> | Res,
): Promise<Reply> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { ok: false, reason: 'invalid_request', message: `malformed JSON: ${errorText(err)}` };
  }
  const request = endpoint.request.safeParse(json);
  if (!request.success)
    return { ok: false, reason: 'invalid_request', message: describeIssues(request.error) };
  let result: Res;
  try {
    result = await handler(request.data);
  } catch (err) {
    return { ok: false, reason: 'remote_error', message: errorText(err) };
  }
  const response = endpoint.response.safeParse(result);
  if (!response.success)
    return { ok: false, reason: 'invalid_response', message: describeIssues(response.error) };
  return { ok: true, result: response.data };
}
