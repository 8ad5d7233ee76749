/**
 * The socket errors (anywhere in an error's cause chain) of a connection that broke after the request
 * went out: the server closed it (undici's UND_ERR_SOCKET, "other side closed") or reset it. A refused
 * connection or an unknown host never reached anyone.
 */
const AFTER_SENDING: ReadonlySet<string> = new Set(['UND_ERR_SOCKET', 'ECONNRESET']);

/**
 * Whether a connection failure may have come after the vendor had our request, and so may be billed:
 * the vendor generates the reply we lost. Errs high: a reused keep-alive socket the server had closed
 * fails the same way without anything being sent.
 */
export function reachedVendor(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && AFTER_SENDING.has(code)) return true;
  }
  return false;
}
