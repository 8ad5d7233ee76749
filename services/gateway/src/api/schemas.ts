/** Small builders for JSON Schema: response schemas double as the OpenAPI document and as output filters. */
type Schema = Record<string, unknown>;

export const str = { type: 'string' } as const;
export const num = { type: 'number' } as const;
export const int = { type: 'integer' } as const;
export const bool = { type: 'boolean' } as const;
export const nullable = (s: Schema): Schema => ({ ...s, nullable: true });
export const arr = (items: Schema): Schema => ({ type: 'array', items });
export const record = (values: Schema): Schema => ({ type: 'object', additionalProperties: values });
/** Every listed property is required unless named in `optional`. */
export const obj = (properties: Record<string, Schema>, optional: string[] = []): Schema => ({
  type: 'object',
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  properties,
});

export const fill = obj({
  tradeId: str,
  price: num,
  qty: num,
  fee: num,
  feeAsset: str,
  liquidity: str,
  time: int,
});

export const order = obj({
  clientOrderId: str,
  venueOrderId: nullable(str),
  exchange: str,
  symbol: str,
  side: str,
  type: str,
  status: str,
  qty: num,
  filledQty: num,
  avgPrice: nullable(num),
  reason: nullable(str),
  detail: nullable(str),
  correlationId: str,
  updatedAt: int,
  fills: arr(fill),
});

export const position = obj({
  positionId: str,
  strategy: nullable(str),
  exchange: str,
  symbol: str,
  side: str,
  qty: num,
  avgEntry: num,
  realizedPnl: num,
  fees: num,
  lastPrice: nullable(num),
  /** When lastPrice was printed (a trade's time, or a candle's close); null with no price seen. */
  lastPriceTime: nullable(int),
  unrealizedPnl: nullable(num),
  stopPrice: nullable(num),
  stopVerified: bool,
  takeProfits: arr(num),
  correlationId: str,
  updatedAt: int,
});

export const fillRow = obj({
  ...(fill.properties as Record<string, Schema>),
  clientOrderId: str,
  symbol: str,
  exchange: str,
  side: str,
  correlationId: str,
});

export const closedTrade = obj({
  tradeKey: str,
  strategy: nullable(str),
  exchange: str,
  symbol: str,
  pnl: num,
  fees: num,
  closeTime: int,
});

export const equityPoint = obj({ time: int, equity: num, drawdownPct: num });

export const periodPnl = obj({
  start: int,
  pnl: num,
  fees: num,
  trades: int,
  wins: int,
  byStrategy: record(num),
  bySymbol: record(num),
});

const candidate = obj({
  id: str,
  strategy: str,
  setup: str,
  exchange: str,
  symbol: str,
  timeframe: str,
  side: str,
  entry: num,
  stop: num,
  takeProfits: arr(num),
  confidence: num,
  rank: nullable(int),
  rationale: str,
  veto: nullable(obj({ reason: str, detail: str })),
});

const agentMeta = obj({ provider: str, model: str, fallbackUsed: bool, auditId: nullable(str) });

export const agentCall = obj({
  id: str,
  agent: str,
  provider: str,
  model: str,
  verdict: {},
  rawResponse: nullable(str),
  latencyMs: num,
  tokensIn: int,
  tokensOut: int,
  costUsd: num,
  correlationId: str,
  fallbackUsed: bool,
  errorReason: nullable(str),
  createdAt: int,
});

export const decision = obj({
  id: str,
  correlationId: str,
  time: int,
  candidate,
  analyst: nullable(
    obj({
      setup: str,
      trend: str,
      strength: num,
      entryLow: num,
      entryHigh: num,
      stop: num,
      takeProfit: num,
      confidence: num,
      reasoning: str,
      meta: agentMeta,
    }),
  ),
  reviewer: nullable(obj({ approve: bool, sizeMultiplier: num, reasons: arr(str), meta: agentMeta })),
  approved: bool,
  sizeMultiplier: num,
});

export const decisionDetail = obj({
  decision,
  agentCalls: arr(agentCall),
  orders: arr(order),
  fills: arr(fillRow),
});

export const signalRow = obj({
  ...(candidate.properties as Record<string, Schema>),
  correlationId: str,
  time: int,
  regime: nullable(str),
});

const controlAck = obj(
  {
    service: str,
    exchange: str,
    command: str,
    commandId: str,
    engaged: bool,
    detail: str,
    flat: nullable(bool),
  },
  ['exchange', 'flat'],
);

export const controlState = obj({
  engaged: bool,
  flatten: bool,
  reason: nullable(str),
  requestedBy: nullable(str),
  since: nullable(int),
  commandId: nullable(str),
  acks: arr(controlAck),
  /** Expected services (GATEWAY_CONTROL_SERVICES) that have not answered; null: not known (given before the gateway started). */
  unanswered: nullable(arr(str)),
  ignored: nullable(
    obj({ command: str, commandId: str, requestedBy: str, acks: arr(controlAck), unanswered: arr(str) }),
  ),
});

export const controlAction = obj({
  id: str,
  action: str,
  actor: str,
  role: str,
  outcome: str,
  flatten: bool,
  reason: str,
  commandId: nullable(str),
  at: int,
});

export const criterion = obj(
  { criterion: str, ok: bool, value: nullable(num), threshold: num, comparison: str, target: num, note: str },
  ['target', 'note'],
);

export const readiness = obj({
  strategy: str,
  ok: bool,
  paperStart: nullable(int),
  criteria: arr(criterion),
});

export const health = obj({ service: str, ok: bool, detail: str });

export const risk = obj({
  limits: record({}),
  equity: num,
  exposure: num,
  exposureLimit: num,
  exposureHeadroom: num,
  openPositions: int,
  openPositionsLimit: int,
  dailyPnl: num,
  dailyLossLimit: num,
  dailyLossHeadroom: num,
  drawdownPct: num,
  maxDrawdownPct: num,
  lossStreak: int,
  pausedUntil: nullable(int),
  halts: arr(str),
});

export const candle = obj({
  openTime: int,
  closeTime: int,
  open: num,
  high: num,
  low: num,
  close: num,
  volume: num,
});

export const groupPnl = obj({ key: str, trades: int, wins: int, pnl: num, fees: num, expectancy: num });

export const pnlTotals = obj({ byStrategy: arr(groupPnl), bySymbol: arr(groupPnl) });

const linePoint = obj({ time: int, value: num });

export const marketChart = obj({
  series: str,
  candles: arr(candle),
  emas: arr(obj({ period: int, points: arr(linePoint) })),
  bollinger: arr(obj({ time: int, upper: num, middle: num, lower: num })),
  support: arr(num),
  resistance: arr(num),
  regime: nullable(str),
  markers: arr(obj({ time: int, price: num, kind: str, side: str, label: str })),
  stops: arr(obj({ positionId: str, price: num, verified: bool })),
});

export const configChange = obj({
  id: str,
  kind: str,
  subject: str,
  actor: str,
  source: str,
  reason: str,
  diff: arr(obj({ path: str, from: {}, to: {} })),
  figures: nullable(record({})),
  createdAt: int,
});

export const lifecycle = obj({
  strategy: str,
  state: nullable(str),
  reason: nullable(str),
  detail: nullable(str),
  since: nullable(int),
  override: nullable(obj({ by: str, reason: str, redCriteria: arr(str), at: int })),
});

export const governance = obj({
  riskLimits: record({}),
  strategies: record(bool),
  lifecycles: arr(lifecycle),
  changes: arr(configChange),
});
