/** Something worth telling the operator: an entry, a stop hit, a halt, a stale feed, a drift. */
export interface Notice {
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  text: string;
  /** Epoch ms when it happened. */
  at: number;
}

export interface NoticeBatcherOptions {
  /** Notices arriving within this window after the first are sent as one message. */
  windowMs: number;
  /** At most this many messages per rolling minute; beyond it notices wait and join the next batch. */
  maxMessagesPerMinute: number;
  /** Lines listed in a grouped message before "+N more". */
  maxLines: number;
}

export const DEFAULT_NOTICE_BATCHING: NoticeBatcherOptions = {
  windowMs: 5_000,
  maxMessagesPerMinute: 10,
  maxLines: 10,
};

const MINUTE_MS = 60_000;
const ICON: Record<Notice['severity'], string> = { info: 'ℹ️', warning: '⚠️', critical: '🚨' };

/**
 * Turns a stream of notices into few messages, so a storm (a hundred stale symbols, a reconnect loop)
 * becomes one message instead of a hundred. Critical notices close the window at once. Pure: the caller
 * passes the time and sends what `take` returns.
 */
export class NoticeBatcher {
  private pending: Notice[] = [];
  private windowOpenedAt: number | null = null;
  private sentAt: number[] = [];

  constructor(private readonly options: NoticeBatcherOptions = DEFAULT_NOTICE_BATCHING) {}

  push(notice: Notice): void {
    if (this.pending.length === 0) this.windowOpenedAt = notice.at;
    this.pending.push(notice);
  }

  /** When `take` will next have something to send, or null when nothing waits. */
  dueAt(): number | null {
    if (this.windowOpenedAt === null) return null;
    const windowEnd = this.pending.some((n) => n.severity === 'critical')
      ? this.windowOpenedAt
      : this.windowOpenedAt + this.options.windowMs;
    const full = this.sentAt.length >= this.options.maxMessagesPerMinute;
    const rateFree = full ? (this.sentAt[0] ?? 0) + MINUTE_MS : windowEnd;
    return Math.max(windowEnd, rateFree);
  }

  /** The message to send now, if one is due; the notices it covers leave the queue. */
  take(now: number): string | null {
    const due = this.dueAt();
    if (due === null || now < due) return null;
    this.sentAt = this.sentAt.filter((t) => t > now - MINUTE_MS);
    if (this.sentAt.length >= this.options.maxMessagesPerMinute) return null;
    const batch = this.pending;
    this.pending = [];
    this.windowOpenedAt = null;
    this.sentAt.push(now);
    return formatBatch(batch, this.options.maxLines);
  }
}

function formatBatch(batch: readonly Notice[], maxLines: number): string {
  const line = (n: Notice) => `${ICON[n.severity]} ${n.text}`;
  if (batch.length === 1) return line(batch[0] as Notice);
  const counts = new Map<string, number>();
  for (const n of batch) counts.set(n.kind, (counts.get(n.kind) ?? 0) + 1);
  const summary = [...counts].map(([kind, count]) => `${count} ${kind}`).join(', ');
  // Critical first, so a kill switch is never hidden under "+N more".
  const order = { critical: 0, warning: 1, info: 2 };
  const sorted = [...batch].sort((a, b) => order[a.severity] - order[b.severity] || a.at - b.at);
  const shown = sorted.slice(0, maxLines).map(line);
  const rest = batch.length - shown.length;
  return [`${batch.length} alerts (${summary})`, ...shown, ...(rest > 0 ? [`+${rest} more`] : [])].join('\n');
}
