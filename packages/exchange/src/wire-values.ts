import type { BookLevel } from '@ballast/contracts';
import { normaliseSymbol, toVenueSymbol } from '@ballast/contracts';

/** Venue decimal string → number; anything else (including '' and null) → NaN so validation refuses it. */
export function decimal(value: unknown): number {
  if (typeof value === 'string') return value === '' ? Number.NaN : Number(value);
  return typeof value === 'number' ? value : Number.NaN;
}

/** Integer field as sent (number or numeric string); NaN otherwise. */
export function integer(value: unknown): number {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && value !== '' ? Number(value) : Number.NaN;
}

/**
 * A venue's trade id as text: a safe integer or a non-empty string; undefined otherwise, so the trade
 * is refused (`String()` made a missing id "undefined", one id shared by every such trade).
 */
export function tradeId(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `[["58001.03","1.9"], …]` → levels; a non-array becomes a level that fails validation. */
export function levels(value: unknown): BookLevel[] {
  if (!Array.isArray(value)) return [[Number.NaN, Number.NaN]];
  const out: BookLevel[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const level = value[i];
    out[i] = Array.isArray(level) ? [decimal(level[0]), decimal(level[1])] : [Number.NaN, Number.NaN];
  }
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Venue symbols repeat on every frame: normalise each once. The subscribed symbols are read back as
 * subscribed (`BTCTRY` → `BTC-TRY`), whatever their quote; any other is split at a known quote, and
 * one with an unknown quote yields undefined.
 */
export class SymbolCache {
  private readonly known = new Map<string, string | undefined>();

  /** @param subscribed normalised symbols (`BTC-TRY`) whose venue form (`BTCTRY`) frames carry. */
  constructor(subscribed: readonly string[] = []) {
    for (const symbol of subscribed) this.known.set(toVenueSymbol(symbol), symbol);
  }

  normalise(venueSymbol: unknown): string | undefined {
    if (typeof venueSymbol !== 'string') return undefined;
    if (this.known.has(venueSymbol)) return this.known.get(venueSymbol);
    let normalised: string | undefined;
    try {
      normalised = normaliseSymbol(venueSymbol);
    } catch {
      normalised = undefined;
    }
    this.known.set(venueSymbol, normalised);
    return normalised;
  }
}
