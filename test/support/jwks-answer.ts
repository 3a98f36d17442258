/** How the local JWKS server (node/jwks-server.ts) answers for one provider: a key set, or a fault. */
export interface JwksAnswer {
  jwks?: unknown;
  status?: number;
  contentType?: string;
  raw?: string;
  cacheControl?: string;
  delayMs?: number;
  /** Stream this many bytes of JSON-looking filler instead of a key set. */
  streamBytes?: number;
}
