/** The gateway API from the browser: the session cookie rides along, the CSRF token is sent on writes. */
let csrfToken = '';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<T> {
  const headers: Record<string, string> = { ...extra };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const data = await res.json();
  if (!res.ok) throw new ApiError(res.status, data.error ?? 'error', data.message ?? res.statusText);
  return data as T;
}

export interface SessionInfo {
  user: string;
  role: 'viewer' | 'operator';
  csrfToken: string;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body: unknown, headers?: Record<string, string>) =>
    call<T>('POST', path, body, headers),
  put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
  async login(user: string, password: string): Promise<SessionInfo> {
    const s = await call<SessionInfo>('POST', '/api/login', { user, password });
    csrfToken = s.csrfToken;
    return s;
  },
  async logout(): Promise<void> {
    await call<void>('POST', '/api/logout', {});
    csrfToken = '';
  },
  async session(): Promise<SessionInfo | undefined> {
    try {
      const s = await call<SessionInfo>('GET', '/api/session');
      csrfToken = s.csrfToken;
      return s;
    } catch {
      return undefined;
    }
  },
};
