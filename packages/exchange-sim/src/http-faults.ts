/**
 * REST faults: `rate_limit` answers 429 with Retry-After (418, Binance's IP ban, when `status` says so), `server_error` answers 5xx, `timeout` never
 * answers. Each rule applies to the next `count` matching calls (Infinity: until cleared), optionally
 * only to paths starting with `pathPrefix`.
 */
export interface HttpFaultSpec {
  kind: 'rate_limit' | 'server_error' | 'timeout';
  count?: number;
  pathPrefix?: string;
  /** For server_error, 503 when omitted; for rate_limit, 429 when omitted, or 418 (an IP ban). */
  status?: number;
  /** For rate_limit; 1 when omitted. */
  retryAfterSeconds?: number;
}

export type HttpFault = Required<Omit<HttpFaultSpec, 'pathPrefix'>> & { pathPrefix: string | undefined };

export class HttpFaults {
  private rules: HttpFault[] = [];

  add(spec: HttpFaultSpec): void {
    this.rules.push({
      kind: spec.kind,
      count: spec.count ?? 1,
      pathPrefix: spec.pathPrefix,
      status: spec.status ?? (spec.kind === 'rate_limit' ? 429 : 503),
      retryAfterSeconds: spec.retryAfterSeconds ?? 1,
    });
  }

  clear(): void {
    this.rules = [];
  }

  pending(): HttpFault[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** The fault for this call, if any; consumes one use of the matching rule. */
  take(path: string): HttpFault | undefined {
    const rule = this.rules.find((r) => r.pathPrefix === undefined || path.startsWith(r.pathPrefix));
    if (!rule) return undefined;
    rule.count--;
    if (rule.count <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return { ...rule };
  }
}
