import type { MarketRules } from '@ballast/core';
import {
  PaperStopVenue,
  type StopOrder,
  type StopRequest,
  type StopVenue,
  VenueError,
} from '@ballast/exchange';
import { DEFAULT_STOP_LIMIT_OFFSET_BPS } from '@ballast/service-kit';

/**
 * A paper stop venue that behaves as a spot exchange does: no reduce-only, and a resting sell stop
 * locks the coins it covers, so a second stop beside it is refused for insufficient funds. Its
 * faults are switched on by the test: a placement the venue takes and then answers with a timeout,
 * a placement that never answers (the process dies waiting), and reads or cancels that fail.
 */
export class SpotStopVenue implements StopVenue {
  readonly supportsReduceOnly = false;
  readonly paper: PaperStopVenue;
  /** Placements still to be taken by the venue and then answered with a timeout. */
  timeoutsAfterPlacing = 0;
  /** Placements still to be refused before the venue takes them, as a rate limit does (retryable). */
  refusals = 0;
  /** The next placement is taken and never answered. */
  hangAfterPlacing = false;
  failFetch = false;
  failCancel = false;
  /** Stops whose cancel fails (as failCancel does for all). */
  readonly failCancelOf = new Set<string>();
  failRules = false;
  placements = 0;
  /** Fails the placements left hanging, as their requests do when the process waiting on them is gone. */
  private readonly hanging: Array<(err: Error) => void> = [];

  constructor(
    readonly id: string,
    rules: MarketRules,
    /** The base asset the account holds: what the resting sell stops may lock. */
    private readonly held: number,
  ) {
    let n = 0;
    this.paper = new PaperStopVenue({
      venue: id,
      rules: () => rules,
      ids: () => `${id}-${++n}`,
      limitOffsetBps: DEFAULT_STOP_LIMIT_OFFSET_BPS,
    });
  }

  async marketRules(symbol: string): Promise<MarketRules> {
    if (this.failRules) throw new VenueError('network', 'exchangeInfo: ETIMEDOUT');
    return this.paper.marketRules(symbol);
  }

  async placeStop(request: StopRequest): Promise<StopOrder> {
    this.placements++;
    if (this.refusals > 0) {
      this.refusals--;
      throw new VenueError('rate_limited', 'createOrder: 429 Too Many Requests');
    }
    const locked = this.paper.openStops(request.symbol).reduce((sum, s) => sum + s.qty, 0);
    if (locked + request.qty > this.held + 1e-9)
      throw new VenueError('insufficient_funds', 'Account has insufficient balance for requested action.');
    const stop = await this.paper.placeStop(request);
    if (this.hangAfterPlacing) {
      this.hangAfterPlacing = false;
      return new Promise<StopOrder>((_, reject) => this.hanging.push(reject));
    }
    if (this.timeoutsAfterPlacing > 0) {
      this.timeoutsAfterPlacing--;
      throw new VenueError('network', 'createOrder: RequestTimeout');
    }
    return stop;
  }

  /** Lets the process left waiting on a hung placement stop: those placements fail now. */
  abandonHanging(): void {
    for (const reject of this.hanging.splice(0))
      reject(new VenueError('network', 'createOrder: socket hang up'));
  }

  async fetchStop(symbol: string, clientOrderId: string): Promise<StopOrder | undefined> {
    if (this.failFetch) throw new VenueError('network', 'fetchOrder: RequestTimeout');
    return this.paper.fetchStop(symbol, clientOrderId);
  }

  async cancelStop(symbol: string, clientOrderId: string): Promise<StopOrder | undefined> {
    if (this.failCancel || this.failCancelOf.has(clientOrderId))
      throw new VenueError('rate_limited', 'cancelOrder: 429 Too Many Requests');
    return this.paper.cancelStop(symbol, clientOrderId);
  }

  openStops(): StopOrder[] {
    return this.paper.openStops();
  }
}
