import type { Envelope, FeedStatus } from '@ballast/contracts';
import { marketKey, setMarketStale } from '@ballast/core';
import type { FeedStates } from './feed-states-store';
import { RiskPart } from './risk-context';
import { StoredValue } from './stored-value';

/** Which markets market-data reports stale (entries on them are refused), kept across restarts. */
export class MarketFeeds extends RiskPart {
  /** Each market's latest feed status applied, the states as last stored, and the write under way. */
  private feeds: FeedStates = {};
  private readonly stored = new StoredValue<FeedStates>(
    (feeds) => this.deps.feeds.save(feeds),
    (a, b) => a === b,
  );

  /**
   * The feed states stored before the restart: the status consumer resumes after the last status it
   * acknowledged, and each was stored before its acknowledgement. A market never reported is not stale.
   */
  async restore(): Promise<void> {
    this.feeds = await this.deps.feeds.load();
    this.stored.stored = this.feeds;
    for (const [key, { stale }] of Object.entries(this.feeds))
      this.ctx.state = setMarketStale(this.ctx.state, key, stale);
  }

  /**
   * A market's status is in force at once and stored before it is acknowledged; one older than the
   * status applied last (delivered again after a failed write or a restart) changes nothing.
   */
  async onStatus(message: Envelope<FeedStatus>): Promise<void> {
    const { exchange, symbol, state } = message.payload;
    if (symbol === null) return;
    const key = marketKey(exchange, symbol);
    const at = message.eventTime;
    if (at >= (this.feeds[key]?.at ?? Number.NEGATIVE_INFINITY)) {
      const stale = state !== 'live';
      this.feeds = { ...this.feeds, [key]: { stale, at } };
      this.ctx.state = setMarketStale(this.ctx.state, key, stale);
    }
    await this.stored.store(() => this.feeds);
  }
}
