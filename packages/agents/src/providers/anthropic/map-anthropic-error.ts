import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import { AgentError } from '../../agent-error';
import { retryAfterMs } from '../../resilience/retry-after';
import { httpStatusError } from '../http-status-error';
import { reachedVendor } from '../reached-vendor';

/**
 * Maps what the Anthropic SDK throws to an AgentError; the SDK's own message text is not kept. `now`
 * dates an HTTP-date Retry-After; `aborted` says our per-call timeout has fired.
 */
export function mapAnthropicError(err: unknown, now: number, aborted: boolean): AgentError {
  if (err instanceof AgentError) return err;
  // Our per-call timeout aborts the request: the SDK reports that as a user abort while waiting for the
  // headers, and as a bare AbortError once it reads the body (a reply stalled mid-body).
  if (aborted || err instanceof APIUserAbortError || err instanceof APIConnectionTimeoutError) {
    return new AgentError('timeout', 'anthropic call timed out');
  }
  if (err instanceof APIConnectionError) {
    const billed = reachedVendor(err);
    const message = billed ? 'anthropic connection closed after the request' : 'anthropic connection failed';
    return new AgentError('network', message, undefined, undefined, undefined, billed);
  }
  // A 200 labelled JSON whose body is not fails inside the SDK's response.json(): an answer we cannot read.
  if (err instanceof SyntaxError) return new AgentError('malformed_response', 'anthropic reply is not JSON');
  if (err instanceof APIError && typeof err.status === 'number') {
    const headers = err.headers;
    return httpStatusError(
      'anthropic',
      err.status,
      retryAfterMs((name) => headers?.get(name), now),
    );
  }
  // What is left is the body's read failing after a 200's headers (the SDK wraps every fetch failure
  // before them as APIConnectionError): the vendor answered, and bills the reply we lost.
  return new AgentError(
    'network',
    'anthropic reply was cut off after its headers',
    undefined,
    undefined,
    undefined,
    true,
  );
}
