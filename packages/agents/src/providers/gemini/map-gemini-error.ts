import {
  type ErrorDetails,
  GoogleGenerativeAIAbortError,
  GoogleGenerativeAIError,
  GoogleGenerativeAIFetchError,
} from '@google/generative-ai';
import { AgentError } from '../../agent-error';
import { httpStatusError } from '../http-status-error';
import { retryInfoDelayMs } from './retry-info';

/**
 * Maps what the Gemini SDK throws to an AgentError. The SDK drops response headers, but keeps the
 * error's details, whose RetryInfo says how long to wait (a quota 429's retryDelay): without one our
 * own backoff applies. A refused key is auth_failed whether Google says so by status or by ErrorInfo.
 * `aborted` says our per-call timeout has fired.
 */
export function mapGeminiError(err: unknown, aborted: boolean): AgentError {
  if (err instanceof AgentError) return err;
  // Our per-call timeout fired: the SDK wraps the abort while waiting for the headers, not once it reads
  // the body (a reply stalled mid-body rejects with a bare AbortError).
  if (aborted || err instanceof GoogleGenerativeAIAbortError)
    return new AgentError('timeout', 'gemini call timed out');
  if (err instanceof GoogleGenerativeAIFetchError && typeof err.status === 'number') {
    if (keyRefused(err.errorDetails))
      return new AgentError('auth_failed', `gemini answered ${err.status} API_KEY_INVALID`);
    return httpStatusError('gemini', err.status, retryInfoDelayMs(err.errorDetails));
  }
  // A 200 whose body is not JSON fails inside the SDK's response.json().
  if (err instanceof SyntaxError) return new AgentError('malformed_response', 'gemini reply is not JSON');
  if (err instanceof GoogleGenerativeAIError) return new AgentError('network', 'gemini connection failed');
  // What is left is the body's read failing after a 200's headers (the SDK wraps every fetch failure
  // before them): the vendor answered, and bills the reply we lost.
  return new AgentError(
    'network',
    'gemini reply was cut off after its headers',
    undefined,
    undefined,
    undefined,
    true,
  );
}

/**
 * Whether the error's `google.rpc.ErrorInfo` says the key itself was refused: the Gemini API answers an
 * invalid, deleted or expired key with 400 INVALID_ARGUMENT ("API key not valid", "API key expired"), reason
 * API_KEY_INVALID, not with a 401. The reason alone decides (some proxies drop the `@type`).
 */
function keyRefused(details: readonly ErrorDetails[] | undefined): boolean {
  return (details ?? []).some((d) => d.reason === 'API_KEY_INVALID');
}
