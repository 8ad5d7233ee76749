import type { ErrorDetails } from '@google/generative-ai';

/** A protobuf Duration in its JSON form: seconds with an optional fraction, then `s` ("38s", "1.5s"). */
const DURATION = /^(\d+(?:\.\d+)?)s$/;

/**
 * The wait a Gemini error asks for, in ms: Google sends no Retry-After header on a quota 429 but a
 * `google.rpc.RetryInfo` detail whose `retryDelay` says when to come back; undefined when there is none.
 */
export function retryInfoDelayMs(details: readonly ErrorDetails[] | undefined): number | undefined {
  const info = details?.find((d) => d['@type']?.endsWith('google.rpc.RetryInfo'));
  const delay = info?.retryDelay;
  if (typeof delay !== 'string') return undefined;
  const seconds = DURATION.exec(delay.trim())?.[1];
  return seconds === undefined ? undefined : Math.round(Number(seconds) * 1000);
}
