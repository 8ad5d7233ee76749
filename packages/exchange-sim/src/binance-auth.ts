import { createHmac, timingSafeEqual } from 'node:crypto';
import { type BinanceApiError, BinanceErrors } from './binance-api-error';

export interface Credentials {
  apiKey: string;
  secret: string;
}

export interface SignedInput {
  apiKeyHeader: string | undefined;
  rawQuery: string;
  rawBody: string;
  serverTime: number;
}

/**
 * Binance SIGNED endpoint checks: the API key header, an HMAC-SHA256 signature over the query string
 * followed by the body (signature parameter removed), then timestamp against recvWindow.
 */
export function verifySigned(input: SignedInput, creds: Credentials): BinanceApiError | undefined {
  if (!input.apiKeyHeader) return BinanceErrors.badApiKeyFormat();
  if (input.apiKeyHeader !== creds.apiKey) return BinanceErrors.invalidApiKey();
  const query = splitSignature(input.rawQuery);
  const body = splitSignature(input.rawBody);
  const signature = query.signature ?? body.signature;
  if (!signature) return BinanceErrors.mandatory('signature');
  const expected = createHmac('sha256', creds.secret)
    .update(query.payload + body.payload)
    .digest('hex');
  if (!sameHex(signature, expected)) return BinanceErrors.badSignature();
  const params = new URLSearchParams(`${query.payload}&${body.payload}`);
  return checkTimestamp(params, input.serverTime);
}

function checkTimestamp(params: URLSearchParams, serverTime: number): BinanceApiError | undefined {
  const timestamp = Number(params.get('timestamp') ?? Number.NaN);
  if (!Number.isSafeInteger(timestamp)) return BinanceErrors.mandatory('timestamp');
  const recvWindow = Number(params.get('recvWindow') ?? 5000);
  if (!Number.isFinite(recvWindow) || recvWindow > 60_000) return BinanceErrors.recvWindowTooLarge();
  if (timestamp > serverTime + 1000) return BinanceErrors.aheadOfServer();
  if (serverTime - timestamp > recvWindow) return BinanceErrors.outsideRecvWindow();
  return undefined;
}

/** Removes `signature=…` from a raw parameter string, keeping everything else byte for byte. */
function splitSignature(raw: string): { payload: string; signature: string | undefined } {
  if (raw === '') return { payload: '', signature: undefined };
  const parts = raw.split('&');
  const sig = parts.find((p) => p.startsWith('signature='));
  return { payload: parts.filter((p) => p !== sig).join('&'), signature: sig?.slice('signature='.length) };
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase());
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
