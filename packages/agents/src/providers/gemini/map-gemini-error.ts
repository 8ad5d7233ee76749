import {
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
 * own backoff applies.
 */
export function mapGeminiError(err: unknown): AgentError {
  if (err instanceof AgentError) return err;
  if (err instanceof GoogleGenerativeAIAbortError) return new AgentError('timeout', 'gemini call timed out');
  if (err instanceof GoogleGenerativeAIFetchError && typeof err.status === 'number') {
    return httpStatusError('gemini', err.status, retryInfoDelayMs(err.errorDetails));
  }
  // A 200 whose body is not JSON fails inside the SDK's response.json().
  if (err instanceof SyntaxError) return new AgentError('malformed_response', 'gemini reply is not JSON');
  if (err instanceof GoogleGenerativeAIError) return new AgentError('network', 'gemini connection failed');
  return new AgentError('network', 'gemini call failed without an HTTP status');
}
