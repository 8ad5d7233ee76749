import { symbolAssets } from '@ballast/contracts';

/** An asset whose one spot balance several markets move. */
export type SharedAsset = { asset: string; markets: string[] };

/**
 * Assets that are the base asset of one market and the base or quote asset of another in `symbols`
 * (normalised, `BASE-QUOTE`). A spot account holds one balance per asset and a spot position is read
 * from its base asset's balance, so in such a set no market's position can be told from the others'
 * (BTC-USDT and BTC-USDC share the BTC held; ETH-BTC buys spend it).
 */
export function sharedBaseAssets(symbols: readonly string[]): SharedAsset[] {
  const movedBy = new Map<string, Set<string>>();
  const bases = new Set<string>();
  for (const symbol of new Set(symbols)) {
    const { base, quote } = symbolAssets(symbol);
    bases.add(base);
    for (const asset of quote === '' ? [base] : [base, quote])
      movedBy.set(asset, (movedBy.get(asset) ?? new Set()).add(symbol));
  }
  return [...movedBy]
    .filter(([asset, markets]) => bases.has(asset) && markets.size > 1)
    .map(([asset, markets]) => ({ asset, markets: [...markets].sort() }))
    .sort((a, b) => a.asset.localeCompare(b.asset));
}

/** Why such a market set cannot be reconciled, naming the asset and its markets. */
export function sharedAssetProblem({ asset, markets }: SharedAsset): string {
  return `${markets.join(', ')} all move the one ${asset} balance of a spot account: reconciliation reads each market's position from its base asset's balance and cannot tell which of them holds ${asset}; reconcile (and trade) at most one market per base asset, quoted in none of the others (ADR 9)`;
}
