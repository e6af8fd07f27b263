import { Code, ConnectError } from "@connectrpc/connect";
import { CatalogError } from "../catalog/catalog-error.js";

/** Runs a catalog change, turning a catalog refusal into its Connect code. */
export function convertCatalogErrors<T>(change: () => T): T {
  try {
    return change();
  } catch (err) {
    if (!(err instanceof CatalogError)) throw err;
    const code = err.kind === "not-found" ? Code.NotFound : Code.FailedPrecondition;
    throw new ConnectError(err.message, code);
  }
}
