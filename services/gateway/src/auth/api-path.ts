const API_PREFIX = '/api/';
// Enough for any encoding a client could mean; deeper nesting is refused as API anyway.
const MAX_DECODES = 4;

/**
 * The path a request is judged by: percent-decoded until stable, lower-cased, repeated slashes
 * collapsed. The router decodes the raw path before matching (`/%61pi/risk` is `/api/risk`), so a
 * guard reading the raw URL would miss what the router serves. Undecodable paths yield null.
 */
export function normalisedPath(rawUrl: string): string | null {
  let path = rawUrl.split('?')[0] ?? '';
  for (let i = 0; i < MAX_DECODES; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return null;
    }
    if (decoded === path) return path.toLowerCase().replace(/\/{2,}/g, '/');
    path = decoded;
  }
  return null;
}

/** True when `rawUrl` names, or could be read as, an API path; an undecodable path counts as one. */
export function isApiPath(rawUrl: string): boolean {
  const path = normalisedPath(rawUrl);
  return path === null || path.startsWith(API_PREFIX);
}
