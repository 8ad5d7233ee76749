import { formatUnits } from './decimal';
import { isStopType, type SimOrder, type SimTrade } from './sim-order';

/** Binance spot response shapes for orders and trades (field sets as in Binance's API docs). */

const base = (o: SimOrder) => ({
  symbol: o.symbol,
  orderId: o.orderId,
  orderListId: -1,
  clientOrderId: o.clientOrderId,
});

const amounts = (o: SimOrder) => ({
  price: formatUnits(o.price),
  origQty: formatUnits(o.origQty),
  executedQty: formatUnits(o.executedQty),
  cummulativeQuoteQty: formatUnits(o.cummulativeQuoteQty),
  status: o.status,
  timeInForce: o.timeInForce ?? 'GTC',
  type: o.type,
  side: o.side,
  // Binance adds stopPrice to order responses of stop orders only.
  ...(isStopType(o.type) ? { stopPrice: formatUnits(o.stopPrice) } : {}),
});

export type NewOrderRespType = 'ACK' | 'RESULT' | 'FULL';

export function newOrderView(o: SimOrder, respType: NewOrderRespType) {
  const ack = { ...base(o), transactTime: o.time };
  if (respType === 'ACK') return ack;
  const result = { ...ack, ...amounts(o), workingTime: o.workingTime, selfTradePreventionMode: 'NONE' };
  if (respType === 'RESULT') return result;
  return {
    ...result,
    fills: o.trades.map((t) => ({
      price: formatUnits(t.price),
      qty: formatUnits(t.qty),
      commission: formatUnits(t.commission),
      commissionAsset: t.commissionAsset,
      tradeId: t.id,
    })),
  };
}

export function queryOrderView(o: SimOrder) {
  return {
    ...base(o),
    ...amounts(o),
    stopPrice: formatUnits(o.stopPrice),
    icebergQty: '0.00000000',
    time: o.time,
    updateTime: o.updateTime,
    isWorking: o.working,
    workingTime: o.workingTime,
    origQuoteOrderQty: '0.00000000',
    selfTradePreventionMode: 'NONE',
  };
}

export function cancelOrderView(o: SimOrder, cancelClientOrderId: string, transactTime: number) {
  return {
    symbol: o.symbol,
    origClientOrderId: o.clientOrderId,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: cancelClientOrderId,
    transactTime,
    ...amounts(o),
    selfTradePreventionMode: 'NONE',
  };
}

export function myTradeView(t: SimTrade) {
  return {
    symbol: t.symbol,
    id: t.id,
    orderId: t.orderId,
    orderListId: -1,
    price: formatUnits(t.price),
    qty: formatUnits(t.qty),
    quoteQty: formatUnits(t.quoteQty),
    commission: formatUnits(t.commission),
    commissionAsset: t.commissionAsset,
    time: t.time,
    isBuyer: t.isBuyer,
    isMaker: t.isMaker,
    isBestMatch: true,
  };
}
