import type { ReconStatus } from '@ballast/contracts';
import { reconFreshness, setVenueReconciled } from '@ballast/core';
import { DEFAULT_RECON_MAX_AGE_MS } from './config';
import { RiskPart } from './risk-context';

/** Which venues are open to entries when RISK_REQUIRE_RECON asks for reconciliation first. */
export class VenueReconciliation extends RiskPart {
  /**
   * When reconciliation last reported on each venue (the status's event time); the others stay closed
   * to entries when it is required, and so does one whose last report is older than its max age.
   */
  private readonly heard = new Map<string, number>();

  /**
   * A venue reconciliation has not reported on, or not within RISK_RECON_MAX_AGE_MS, is closed to
   * entries: a reconciliation that died must not leave its last `reconciled` in force. Its next status
   * opens it again (onRecon).
   */
  closeUnheard(venue: string): void {
    const maxAgeMs = this.deps.config.RISK_RECON_MAX_AGE_MS ?? DEFAULT_RECON_MAX_AGE_MS;
    const heard = reconFreshness(venue, this.heard.get(venue), this.deps.clock.now(), maxAgeMs);
    if (!heard.fresh) this.ctx.state = setVenueReconciled(this.ctx.state, venue, false, heard.why);
  }

  /** Only `reconciled` opens a venue to entries; exits and stops never pass through here. */
  onRecon(status: ReconStatus, publishedAt: number): void {
    this.heard.set(status.venue, publishedAt);
    this.ctx.state = setVenueReconciled(this.ctx.state, status.venue, status.status === 'reconciled');
    this.deps.log.info(
      { venue: status.venue, status: status.status, detail: status.detail },
      'venue reconciliation',
    );
  }
}
