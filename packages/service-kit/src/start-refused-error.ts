/**
 * A start refused on what the service found in its database or venue, not on its variables: like
 * invalid configuration it does not heal by restarting, so `runService` exits 78 (sysexits' EX_CONFIG)
 * for it too. Each subclass names its reason, one machine-readable value.
 */
export abstract class StartRefusedError extends Error {
  abstract readonly reason: string;
}
