/** Sends of one message to one chat, the first included. */
export const SEND_ATTEMPTS = 3;
/** The wait before the second attempt; doubled before each later one. */
const FIRST_RETRY_MS = 1_000;
/** Telegram's own flood wait (429 retry_after) is honoured up to this; a longer one gives up. */
const MAX_FLOOD_WAIT_MS = 30_000;

/**
 * How long to wait before sending again after `attempt` (1-based) failed with `err`, or null when a
 * retry cannot help: the last attempt, or a refusal that will be the same next time (400 bad request,
 * 401 token, 403 bot blocked or removed). Telegram's 429 names its wait; a 5xx or a network error
 * (no Bot API code) backs off. An alert lost to one blip would leave the operator not knowing.
 */
export function sendRetryDelay(err: unknown, attempt: number): number | null {
  if (attempt >= SEND_ATTEMPTS) return null;
  const e = err as { error_code?: unknown; parameters?: { retry_after?: unknown } };
  const code = typeof e?.error_code === 'number' ? e.error_code : undefined;
  if (code === 429) {
    const after = e.parameters?.retry_after;
    const waitMs = typeof after === 'number' ? after * 1_000 : FIRST_RETRY_MS;
    return waitMs <= MAX_FLOOD_WAIT_MS ? waitMs : null;
  }
  if (code !== undefined && code < 500) return null;
  return FIRST_RETRY_MS * 2 ** (attempt - 1);
}
