// Call deadlines as the two protocol families carry them. gRPC and gRPC-Web
// send `grpc-timeout: <1-8 digits><unit>`; Connect sends
// `connect-timeout-ms: <1-10 digits>`. The proxy honours the deadline and
// forwards what is left of it.

const grpcUnitMs: Readonly<Record<string, number>> = {
  H: 3_600_000,
  M: 60_000,
  S: 1000,
  m: 1,
  u: 0.001,
  n: 0.000_001,
};

/** Milliseconds in a grpc-timeout value, or -1 when it is malformed. Sub-ms
 * timeouts round up to 1 ms so that they still expire rather than vanish. */
export function parseGrpcTimeout(value: string): number {
  const digits = value.length - 1;
  if (digits < 1 || digits > 8 || !allDigits(value, digits)) {
    return -1;
  }
  const unitMs = grpcUnitMs[value[digits] as string];
  if (unitMs === undefined) {
    return -1;
  }
  return Math.ceil(Number(value.slice(0, digits)) * unitMs);
}

/** Milliseconds in a connect-timeout-ms value, or -1 when it is malformed. */
export function parseConnectTimeout(value: string): number {
  if (value.length < 1 || value.length > 10 || !allDigits(value, value.length)) {
    return -1;
  }
  return Number(value);
}

/** The grpc-timeout value for `ms` milliseconds (at most 8 digits). */
export function formatGrpcTimeout(ms: number): string {
  const whole = Math.max(1, Math.ceil(ms));
  return whole < 100_000_000 ? `${whole}m` : `${Math.ceil(whole / 1000)}S`;
}

function allDigits(value: string, length: number): boolean {
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) {
      return false;
    }
  }
  return true;
}
