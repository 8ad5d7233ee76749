import type { Drift } from '@ballast/core';
import { type BotStateRepository, BotStateValue } from '@ballast/db';
import { z } from 'zod';

/**
 * What was already alerted on, by key, with the value it was alerted for, until a run no longer
 * finds the key: a drift that lasts (a balance difference the baseline could not follow, a stop
 * still missing) is alerted once, not every run, and a new value for the key is alerted again.
 * Stored in bot_state, so a restart of reconciliation does not alert again either.
 */
export class AlertedOnce<V extends number | boolean> {
  private readonly stored: BotStateValue<Record<string, V>>;

  constructor(state: BotStateRepository, key: string, value: z.ZodType<V>) {
    this.stored = new BotStateValue(state, key, z.record(z.string(), value), {});
  }

  /** Whether `value` for `key` is not the one already alerted on. */
  async isNew(key: string, value: V): Promise<boolean> {
    return (await this.all())[key] !== value;
  }

  /** Remembers `value` for `key` as alerted on: only after its alert is out, so a failed one is sent again. */
  async remember(key: string, value: V): Promise<void> {
    const all = await this.all();
    if (all[key] !== value) await this.stored.save({ ...all, [key]: value });
  }

  /** Forgets the keys a run did not find. */
  async keepOnly(keys: ReadonlySet<string>): Promise<void> {
    const all = await this.all();
    const kept = Object.fromEntries(Object.entries(all).filter(([key]) => keys.has(key)));
    if (Object.keys(kept).length < Object.keys(all).length) await this.stored.save(kept);
  }

  private async all(): Promise<Record<string, V>> {
    return { ...(await this.stored.load()) };
  }
}

/** Balance differences alerted on, per asset (bot_state `recon.flagged-balances.<venue>`). */
export const flaggedBalances = (state: BotStateRepository, venue: string) =>
  new AlertedOnce(state, `recon.flagged-balances.${venue}`, z.number());

/** Lasting drifts alerted on, by drift key (bot_state `recon.alerted-drifts.<venue>`). */
export const alertedDrifts = (state: BotStateRepository, venue: string) =>
  new AlertedOnce(state, `recon.alerted-drifts.${venue}`, z.literal(true));

/**
 * A drift's key in the alerted-drifts memory: with its action, so a drift whose repair changes (an
 * orphan stop flagged, then cancelled) is alerted for each.
 */
export const alertKey = (drift: Drift): string => `${drift.key}:${drift.action}`;
