import type { Units } from './decimal';

export type OrderSide = 'BUY' | 'SELL';
export type OrderType = 'MARKET' | 'LIMIT';
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
  timeInForce: TimeInForce | undefined;
  clientOrderId: string;
}
