import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@ballast/contracts';
import type { Role } from './users';

export interface Session {
  readonly id: string;
  readonly user: string;
  readonly role: Role;
  /** Synchronizer token: sent back in `x-csrf-token` on every state-changing request. */
  readonly csrfToken: string;
  readonly expiresAt: number;
}

const token = (): string => randomBytes(32).toString('base64url');

/** Server-side sessions in memory: a restart logs everyone out, which is the safe direction. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly endListeners = new Set<(id: string) => void>();

  constructor(
    private readonly clock: Clock,
    readonly ttlMs: number,
  ) {}

  /**
   * Calls `listener` with the id of each session that ends (logout, a new login in its place, or seen
   * expired), so what it opened (a live-event stream) ends with it; returns the function that removes it.
   */
  onEnd(listener: (id: string) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  create(user: string, role: Role): Session {
    this.sweep();
    const session = { id: token(), user, role, csrfToken: token(), expiresAt: this.clock.now() + this.ttlMs };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.clock.now()) {
      this.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string): void {
    if (!this.sessions.delete(id)) return;
    for (const listener of this.endListeners) listener(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.delete(id);
  }
}

/** Constant-time token comparison; a missing or differently sized token is simply wrong. */
export function sameToken(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
