import type { Clock } from '@ballast/contracts';

export interface LoginLimits {
  windowMs: number;
  maxPerIp: number;
  maxPerUser: number;
}

export type LoginAllowance = { ok: true } | { ok: false; key: 'ip' | 'user'; retryAfterMs: number };

interface Window {
  start: number;
  count: number;
}

/**
 * Fixed-window counts of login attempts per client address and per user name: the address limit
 * slows one client guessing many names, the user limit slows many clients guessing one password.
 */
export class LoginRateLimiter {
  private readonly byIp = new Map<string, Window>();
  private readonly byUser = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: LoginLimits,
  ) {}

  /** Counts the attempt and says whether it may proceed. */
  attempt(ip: string, user: string): LoginAllowance {
    const now = this.clock.now();
    const ipWindow = this.count(this.byIp, ip, now);
    const userWindow = this.count(this.byUser, user.toLowerCase(), now);
    if (ipWindow.count > this.limits.maxPerIp) return this.refuse('ip', ipWindow, now);
    if (userWindow.count > this.limits.maxPerUser) return this.refuse('user', userWindow, now);
    return { ok: true };
  }

  /** A correct password clears the user's count (its address keeps counting). */
  succeeded(user: string): void {
    this.byUser.delete(user.toLowerCase());
  }

  private count(map: Map<string, Window>, key: string, now: number): Window {
    let w = map.get(key);
    if (!w || now - w.start >= this.limits.windowMs) {
      if (map.size > 10_000) this.prune(map, now);
      w = { start: now, count: 0 };
      map.set(key, w);
    }
    w.count += 1;
    return w;
  }

  private refuse(key: 'ip' | 'user', w: Window, now: number): LoginAllowance {
    return { ok: false, key, retryAfterMs: w.start + this.limits.windowMs - now };
  }

  private prune(map: Map<string, Window>, now: number): void {
    for (const [k, w] of map) if (now - w.start >= this.limits.windowMs) map.delete(k);
  }
}
