import type { Candle, FeatureVector } from '@ballast/contracts';
import { BollingerBands, DEFAULT_BOLLINGER, Ema } from '@ballast/core';
import type { FillView, StopView } from '../live/live-state';

/** The EMAs the features service computes and strategies read (trend_pullback's 21, the 50 trend filter). */
export const CHART_EMAS = [21, 50] as const;

export interface LinePoint {
  time: number;
  value: number;
}

export interface ChartMarker {
  time: number;
  price: number;
  kind: 'entry' | 'exit' | 'stop' | 'take_profit';
  side: string;
  label: string;
}

export interface MarketChart {
  series: string;
  candles: Candle[];
  emas: Array<{ period: number; points: LinePoint[] }>;
  bollinger: Array<{ time: number; upper: number; middle: number; lower: number }>;
  /** From the latest feature vector of the series; empty until the features service published one. */
  support: number[];
  resistance: number[];
  regime: string | null;
  markers: ChartMarker[];
  /** Protective stops resting now on this symbol. */
  stops: Array<{ positionId: string; price: number; verified: boolean }>;
}

/** Indicator overlays recomputed over the candles with core's indicators (TA-Lib definitions). */
export function overlays(candles: readonly Candle[]): Pick<MarketChart, 'emas' | 'bollinger'> {
  const emas = CHART_EMAS.map((period) => {
    const ema = new Ema(period);
    const points: LinePoint[] = [];
    for (const c of candles) {
      const value = ema.update(c.close);
      if (value !== null) points.push({ time: c.openTime, value });
    }
    return { period, points };
  });
  const bands = new BollingerBands(DEFAULT_BOLLINGER);
  const bollinger: MarketChart['bollinger'] = [];
  for (const c of candles) {
    bands.update(c.close);
    const v = bands.value;
    if (v) bollinger.push({ time: c.openTime, upper: v.upper, middle: v.middle, lower: v.lower });
  }
  return { emas, bollinger };
}

export interface MarkerSources {
  fills: readonly FillView[];
  /** Side of every position seen, by correlation id (closed ones included), to tell entries from exits. */
  positionSides: ReadonlyMap<string, 'long' | 'short'>;
  stopEvents: ReadonlyArray<{
    kind: string;
    symbol: string;
    exchange: string;
    stopPrice: number | null;
    time: number;
  }>;
}

const opens = (side: string, position: 'long' | 'short' | undefined): boolean | undefined =>
  position === undefined ? undefined : (side === 'buy') === (position === 'long');

/**
 * Our fills on the symbol as entries or exits (a fill in the position's direction opens it), and the
 * stops and take-profits that closed positions; sorted by time as the chart library requires.
 */
export function chartMarkers(exchange: string, symbol: string, src: MarkerSources): ChartMarker[] {
  const markers: ChartMarker[] = [];
  for (const f of src.fills) {
    if (f.exchange !== exchange || f.symbol !== symbol) continue;
    const isEntry = opens(f.side, src.positionSides.get(f.correlationId)) ?? f.side === 'buy';
    markers.push({
      time: f.time,
      price: f.price,
      kind: isEntry ? 'entry' : 'exit',
      side: f.side,
      label: `${isEntry ? 'entry' : 'exit'} ${f.side} ${f.qty}`,
    });
  }
  for (const s of src.stopEvents) {
    if (s.exchange !== exchange || s.symbol !== symbol || s.stopPrice === null) continue;
    if (s.kind !== 'triggered' && s.kind !== 'take_profit') continue;
    const kind = s.kind === 'triggered' ? 'stop' : 'take_profit';
    markers.push({ time: s.time, price: s.stopPrice, kind, side: 'sell', label: kind.replace('_', ' ') });
  }
  return markers.sort((a, b) => a.time - b.time);
}

/** The last version of each bar, in time order: a replayed or revised candle must not draw twice. */
function oncePerBar(candles: readonly Candle[]): Candle[] {
  const byOpen = new Map<number, Candle>();
  for (const c of candles) byOpen.set(c.openTime, c);
  return [...byOpen.values()].sort((a, b) => a.openTime - b.openTime);
}

/** The chart of one series: candles, overlays, the latest S/R levels, our markers and resting stops. */
export function marketChart(
  series: string,
  candles: Candle[],
  features: FeatureVector | undefined,
  markers: ChartMarker[],
  stops: ReadonlyArray<StopView & { symbol: string; exchange: string }>,
): MarketChart {
  const [exchange, symbol] = series.split(':');
  const bars = oncePerBar(candles);
  return {
    series,
    candles: bars,
    ...overlays(bars),
    support: features?.support ?? [],
    resistance: features?.resistance ?? [],
    regime: features?.regime ?? null,
    markers,
    stops: stops
      .filter((s) => s.exchange === exchange && s.symbol === symbol && s.stopPrice !== null)
      .map((s) => ({ positionId: s.positionId, price: s.stopPrice as number, verified: s.verified })),
  };
}
