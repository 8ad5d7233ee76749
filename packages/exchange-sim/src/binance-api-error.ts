/** A Binance REST error: the HTTP status and the `{code,msg}` body Binance answers with. */
export interface BinanceApiError {
  status: number;
  code: number;
  msg: string;
}

const err = (status: number, code: number, msg: string): BinanceApiError => ({ status, code, msg });

/** Every error the simulator answers with, with Binance's own codes and messages. */
export const BinanceErrors = {
  badSignature: () => err(400, -1022, 'Signature for this request is not valid.'),
  badApiKeyFormat: () => err(401, -2014, 'API-key format invalid.'),
  invalidApiKey: () => err(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
  outsideRecvWindow: () => err(400, -1021, 'Timestamp for this request is outside of the recvWindow.'),
  aheadOfServer: () => err(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  recvWindowTooLarge: () => err(400, -1131, 'recvWindow must be less than 60000'),
  mandatory: (name: string) =>
    err(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  illegalValue: (name: string) =>
    err(
      400,
      -1100,
      `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`,
    ),
  unreadParameters: (read: number, sent: number) =>
    err(400, -1104, `Not all sent parameters were read; read '${read}' parameter(s) but was sent '${sent}'.`),
  invalidParameterCombination: () => err(400, -1128, 'Combination of optional parameters invalid.'),
  invalidSymbol: () => err(400, -1121, 'Invalid symbol.'),
  invalidInterval: () => err(400, -1120, 'Invalid interval.'),
  invalidSide: () => err(400, -1117, 'Invalid side.'),
  invalidOrderType: () => err(400, -1116, 'Invalid orderType.'),
  invalidTimeInForce: () => err(400, -1115, 'Invalid timeInForce.'),
  unsupportedOrderType: () => err(400, -1013, 'Unsupported order type for this symbol.'),
  filterFailure: (filter: string) => err(400, -1013, `Filter failure: ${filter}`),
  marketClosed: () => err(400, -1013, 'Market is closed.'),
  insufficientBalance: () => err(400, -2010, 'Account has insufficient balance for requested action.'),
  duplicateOrder: () => err(400, -2010, 'Duplicate order sent.'),
  orderDoesNotExist: () => err(400, -2013, 'Order does not exist.'),
  unknownOrderOnCancel: () => err(400, -2011, 'Unknown order sent.'),
  tooManyRequests: () =>
    err(
      429,
      -1003,
      'Too many requests; current limit of IP is 6000 requests per minute. Please use WebSocket Streams for live updates to avoid bans.',
    ),
  ipBanned: (untilMs: number) =>
    err(
      418,
      -1003,
      `Way too much request weight used; IP banned until ${untilMs}. Please use WebSocket Streams for live updates to avoid bans.`,
    ),
  serverError: () => err(503, -1001, 'Internal error; unable to process your request. Please try again.'),
} as const;
