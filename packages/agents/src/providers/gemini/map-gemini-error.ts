import {
  GoogleGenerativeAIAbortError,
  GoogleGenerativeAIError,
  GoogleGenerativeAIFetchError,
} from '@google/generative-ai';
import { AgentError } from '../../agent-error';
import { httpStatusError } from '../http-status-error';

/**
 * Maps what the Gemini SDK throws to an AgentError. The SDK drops response headers, so a 429's
 * Retry-After is not available here and our own backoff applies.
 */
export function mapGeminiError(err: unknown): AgentError {
  if (err instanceof AgentError) return err;
  if (err instanceof GoogleGenerativeAIAbortError) return new AgentError('timeout', 'gemini call timed out');
  if (err instanceof GoogleGenerativeAIFetchError && typeof err.status === 'number') {
    return httpStatusError('gemini', err.status, undefined);
  }
  // A 200 whose body is not JSON fails inside the SDK's response.json().
  if (err instanceof SyntaxError) return new AgentError('malformed_response', 'gemini reply is not JSON');
  if (err instanceof GoogleGenerativeAIError) return new AgentError('network', 'gemini connection failed');
  return new AgentError('network', 'gemini call failed without an HTTP status');
}
