import { Code, ConnectError } from "@connectrpc/connect";
import type { Catalog } from "../catalog/catalog.js";
import type { CatalogInstance } from "../catalog/catalog-instance.js";
import {
  type SpecChange,
  SpecChangeError,
  type SpecChangeErrorKind,
} from "../discovery/kubernetes/index.js";
import { convertCatalogErrors } from "./convert-catalog-errors.js";

/** Writes a change where the cluster keeps it and resolves with the
 * instance once this replica's catalog reflects it (see
 * KubernetesDiscovery.changeSpec). */
export type ClusterSpecChanger = (
  instance: CatalogInstance,
  change: SpecChange,
) => Promise<CatalogInstance>;

const codes: Record<SpecChangeErrorKind, Code> = {
  "no-object": Code.FailedPrecondition,
  gone: Code.NotFound,
  unavailable: Code.Unavailable,
  refused: Code.Internal,
};

/**
 * SetWeight and Drain. An instance found by Kubernetes discovery takes
 * weight and drain flag from its ServiceInstance, and a reconcile would
 * undo a change made in this replica's memory only, so its change goes to
 * the cluster. Any other instance changes in this registry's catalog.
 */
export async function changeInstance(
  catalog: Catalog,
  changeInCluster: ClusterSpecChanger | undefined,
  id: string,
  change: SpecChange,
): Promise<CatalogInstance> {
  const instance = catalog.get(id);
  if (instance?.source === "kubernetes") {
    if (!changeInCluster) {
      throw new ConnectError(
        `instance ${id} came from Kubernetes discovery, which is not running`,
        Code.Unavailable,
      );
    }
    return await changeInClusterConverted(changeInCluster, instance, change);
  }
  return convertCatalogErrors(() =>
    "weight" in change
      ? catalog.setWeight(id, change.weight)
      : catalog.setDraining(id, change.draining),
  );
}

async function changeInClusterConverted(
  changeInCluster: ClusterSpecChanger,
  instance: CatalogInstance,
  change: SpecChange,
): Promise<CatalogInstance> {
  try {
    return await changeInCluster(instance, change);
  } catch (err) {
    if (!(err instanceof SpecChangeError)) throw err;
    throw new ConnectError(err.message, codes[err.kind]);
  }
}
