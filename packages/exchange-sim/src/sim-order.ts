import type { Units } from './decimal';

export type OrderSide = 'BUY' | 'SELL';
/** `STOP_LOSS` becomes a market order when triggered, `STOP_LOSS_LIMIT` a limit order at `price`. */
export type OrderType = 'MARKET' | 'LIMIT' | 'STOP_LOSS' | 'STOP_LOSS_LIMIT';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED';

/** One execution of an order, as `/api/v3/myTrades` and the FULL order response report it. */
export interface SimTrade {
  id: number;
  orderId: number;
  symbol: string;
  price: Units;
  qty: Units;
  quoteQty: Units;
  commission: Units;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
}

export interface SimOrder {
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  timeInForce: TimeInForce | undefined;
  /** 0 for market orders, as Binance reports "0.00000000". */
  price: Units;
  /** The trigger of a stop order; 0 for other types. */
  stopPrice: Units;
  /** False while a stop order waits for its trigger (Binance `isWorking`); true for other types. */
  working: boolean;
  /** When the order started working: placement, or a stop's trigger; -1 before that. */
  workingTime: number;
  origQty: Units;
  executedQty: Units;
  cummulativeQuoteQty: Units;
  status: OrderStatus;
  time: number;
  updateTime: number;
  trades: SimTrade[];
  /** The asset and amount still reserved for the unfilled rest of the order. */
  lockedAsset: string;
  lockedAmount: Units;
}

export interface NewOrderRequest {
  symbol: string;
  side: OrderSide;
  type: OrderType;
  quantity: Units;
  price: Units | undefined;
  /** Required for the stop types, absent otherwise. */
  stopPrice?: Units | undefined;
  timeInForce: TimeInForce | undefined;
  clientOrderId: string;
}

export function isStopType(type: OrderType): type is 'STOP_LOSS' | 'STOP_LOSS_LIMIT' {
  return type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT';
}
