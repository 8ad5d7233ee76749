/**
 * An error as it may be logged: name, message and Bot API code only. grammy's errors carry the
 * request payload (message text) and node-fetch's carry the URL, which holds the bot token.
 */
export function safeError(err: unknown, token: string): { name: string; message: string; code?: number } {
  const e = err as { name?: unknown; message?: unknown; error_code?: unknown };
  const message = String(e?.message ?? err).replaceAll(token, '<token>');
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message,
    ...(typeof e?.error_code === 'number' ? { code: e.error_code } : {}),
  };
}
