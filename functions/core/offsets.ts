// Offsets are bigint in the core (they may exceed 2^53) and decimal strings in storage and JSON.

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Parses a non-negative decimal string or safe integer; returns null when it is not one. */
export function parseOffset(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value >= 0n ? value : null;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : null;
  if (typeof value === 'string' && DECIMAL.test(value)) return BigInt(value);
  return null;
}

export function formatOffset(value: bigint): string {
  return value.toString(10);
}

/** log-end − committed, clamped at 0; null when either is unknown. */
export function lagOf(committed: bigint | null, logEnd: bigint | null): bigint | null {
  if (committed === null || logEnd === null) return null;
  return logEnd > committed ? logEnd - committed : 0n;
}

/** A bigint as a JS number for metrics (loses precision above 2^53, never NaN or negative). */
export function toMetricNumber(value: bigint): number {
  return value <= 0n ? 0 : Number(value);
}

export function maxBigint(values: readonly bigint[]): bigint | null {
  let max: bigint | null = null;
  for (const v of values) if (max === null || v > max) max = v;
  return max;
}
