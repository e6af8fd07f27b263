/**
 * Why a change of a ServiceInstance's spec did not reach the catalog:
 * - `no-object`: the ServiceInstance does not exist (yet);
 * - `gone`: the instance left the catalog while the change applied;
 * - `unavailable`: the API server or the watch did not answer in time;
 * - `refused`: the API server refused the patch (permissions, schema).
 */
export type SpecChangeErrorKind = "no-object" | "gone" | "unavailable" | "refused";

/** A refused or unfinished ServiceInstance spec change, for the API edge
 * to turn into a status code. The message names the instance. */
export class SpecChangeError extends Error {
  override readonly name = "SpecChangeError";

  constructor(
    readonly kind: SpecChangeErrorKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
