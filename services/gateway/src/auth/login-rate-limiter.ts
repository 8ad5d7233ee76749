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

/** A user name's wrong passwords since its last correct one, and the lock they earned. */
interface Lockout {
  failures: number;
  lockouts: number;
  lockedUntil: number;
}

/** The longest a user name stays locked however long the guessing goes on. */
export const MAX_LOCKOUT_MS = 24 * 3_600_000;

/**
 * Fixed-window counts of login attempts per client address and per user name: the address limit
 * slows one client guessing many names, the user limit slows many clients guessing one password.
 * On top, a lockout: every `maxPerUser` wrong passwords in a row for one name lock it, for the window
 * the first time and twice as long each time after (at most MAX_LOCKOUT_MS); a lock is waited out even
 * with the right password, and the doubling ends at the next login that succeeds. Anyone knowing a name
 * can keep it locked: the CLI and Telegram still kill and resume meanwhile. The windows alone let a guesser go on for ever at `maxPerUser` a window (480 a day by default).
 */
export class LoginRateLimiter {
  private readonly byIp = new Map<string, Window>();
  private readonly byUser = new Map<string, Window>();
  private readonly lockouts = new Map<string, Lockout>();

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
    const lock = this.lockouts.get(user.toLowerCase());
    if (lock && now < lock.lockedUntil)
      return { ok: false, key: 'user', retryAfterMs: lock.lockedUntil - now };
    if (userWindow.count > this.limits.maxPerUser) return this.refuse('user', userWindow, now);
    return { ok: true };
  }

  /** A wrong password: every `maxPerUser` in a row lock the name, each lock twice the one before. */
  failed(user: string): void {
    const now = this.clock.now();
    const key = user.toLowerCase();
    if (!this.lockouts.has(key) && this.lockouts.size > 10_000) this.pruneLockouts(now);
    const lock = this.lockouts.get(key) ?? { failures: 0, lockouts: 0, lockedUntil: 0 };
    lock.failures += 1;
    if (lock.failures >= this.limits.maxPerUser) {
      lock.failures = 0;
      lock.lockouts += 1;
      const ms = Math.min(this.limits.windowMs * 2 ** (lock.lockouts - 1), MAX_LOCKOUT_MS);
      lock.lockedUntil = now + ms;
    }
    this.lockouts.set(key, lock);
  }

  /** A correct password clears the user's count and lockout (its address keeps counting). */
  succeeded(user: string): void {
    this.byUser.delete(user.toLowerCase());
    this.lockouts.delete(user.toLowerCase());
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

  /**
   * Drops the names with no escalation to keep (never locked, or quiet a whole MAX_LOCKOUT_MS since their
   * lock): a guesser spraying names cannot grow the map without end, nor reset a locked name's doubling.
   */
  private pruneLockouts(now: number): void {
    for (const [k, lock] of this.lockouts)
      if (now >= lock.lockedUntil && (lock.lockouts === 0 || now >= lock.lockedUntil + MAX_LOCKOUT_MS))
        this.lockouts.delete(k);
  }

  private prune(map: Map<string, Window>, now: number): void {
    for (const [k, w] of map) if (now - w.start >= this.limits.windowMs) map.delete(k);
  }
}
