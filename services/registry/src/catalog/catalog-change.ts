import type { CatalogInstance } from "./catalog-instance.js";

/** What happened to an instance. */
export type CatalogChangeKind = "added" | "updated" | "removed";

/**
 * One catalog change. Delivered synchronously while the instance still has
 * the state the change describes: copy what you need before returning.
 */
export interface CatalogChange {
  readonly kind: CatalogChangeKind;
  readonly instance: CatalogInstance;
}

export type CatalogListener = (change: CatalogChange) => void;
