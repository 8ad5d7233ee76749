import type { Clock } from '@ballast/contracts';

/** What a confirmation button stands for. */
export type ControlAction =
  | { kind: 'kill'; flatten: boolean; reason: string }
  | { kind: 'resume'; clearDrawdown: boolean; reason: string };

export interface PendingConfirmation {
  token: string;
  chatId: number;
  /** The Telegram user who asked; null when the update named none (it then cannot be confirmed). */
  userId: number | null;
  action: ControlAction;
  requestedBy: string;
  expiresAt: number;
}

/** Why a button press did nothing: one closed set. */
export type RefusedConfirmation = 'unknown' | 'expired' | 'other_chat' | 'other_user';

export type ConfirmationOutcome =
  | { ok: true; pending: PendingConfirmation }
  | { ok: false; reason: RefusedConfirmation };

/**
 * Kill and resume wait for a second, deliberate tap. A request is good once, for `ttlMs`, only in the
 * chat that asked and only for the user who asked: a forwarded or replayed button from elsewhere does
 * nothing, and in a group nobody confirms (or cancels) a command that is recorded under another's name.
 */
export class PendingConfirmations {
  private readonly pending = new Map<string, PendingConfirmation>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
    private readonly newToken: () => string,
  ) {}

  ask(
    chatId: number,
    userId: number | null,
    action: ControlAction,
    requestedBy: string,
  ): PendingConfirmation {
    this.sweep();
    const token = this.newToken();
    const p = { token, chatId, userId, action, requestedBy, expiresAt: this.clock.now() + this.ttlMs };
    this.pending.set(token, p);
    return p;
  }

  /**
   * Takes the request if this user in this chat may act on it now; an expired one is dropped. A press
   * from another chat or user leaves it pending for the one who asked.
   */
  take(token: string, chatId: number, userId: number | undefined): ConfirmationOutcome {
    const p = this.pending.get(token);
    if (!p) return { ok: false, reason: 'unknown' };
    if (p.chatId !== chatId) return { ok: false, reason: 'other_chat' };
    if (p.userId === null || p.userId !== userId) return { ok: false, reason: 'other_user' };
    this.pending.delete(token);
    if (this.clock.now() >= p.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, pending: p };
  }

  get size(): number {
    return this.pending.size;
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [token, p] of this.pending) if (now >= p.expiresAt) this.pending.delete(token);
  }
}
