/** What a catalog refusal is about, so the API edge can pick a code. */
export type CatalogErrorKind = "conflict" | "not-found";

/**
 * A catalog change the catalog refuses. `field` names the request field the
 * caller should fix, in the contract's snake_case.
 */
export class CatalogError extends Error {
  override readonly name = "CatalogError";

  constructor(
    readonly kind: CatalogErrorKind,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
