import { formatUnits, toUnits, type Units } from './decimal';

export interface Balance {
  free: Units;
  locked: Units;
}

/** One account's spot balances; every change is exact (1e-8 units). */
export class SpotAccount {
  private readonly balances = new Map<string, Balance>();

  constructor(initial: Record<string, string> = {}) {
    for (const [asset, amount] of Object.entries(initial)) this.set(asset, amount);
  }

  set(asset: string, free: string, locked = '0'): void {
    this.balances.set(asset, { free: toUnits(free), locked: toUnits(locked) });
  }

  get(asset: string): Balance {
    let b = this.balances.get(asset);
    if (!b) {
      b = { free: 0n, locked: 0n };
      this.balances.set(asset, b);
    }
    return b;
  }

  /** Moves `amount` from free to locked; false (and no change) when free is short. */
  lock(asset: string, amount: Units): boolean {
    const b = this.get(asset);
    if (b.free < amount) return false;
    b.free -= amount;
    b.locked += amount;
    return true;
  }

  unlock(asset: string, amount: Units): void {
    const b = this.get(asset);
    const moved = amount < b.locked ? amount : b.locked;
    b.locked -= moved;
    b.free += moved;
  }

  /** Spends from locked first, then free (per-fill fee rounding can exceed a lock by 1e-8). */
  spendLocked(asset: string, amount: Units): void {
    const b = this.get(asset);
    const fromLocked = amount < b.locked ? amount : b.locked;
    b.locked -= fromLocked;
    b.free -= amount - fromLocked;
  }

  spendFree(asset: string, amount: Units): void {
    this.get(asset).free -= amount;
  }

  credit(asset: string, amount: Units): void {
    this.get(asset).free += amount;
  }

  /** Binance `balances` rows, sorted by asset for a stable response. */
  rows(): Array<{ asset: string; free: string; locked: string }> {
    return [...this.balances.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([asset, b]) => ({ asset, free: formatUnits(b.free), locked: formatUnits(b.locked) }));
  }
}
