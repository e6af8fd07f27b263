import type { Visibility } from "../../proxy/upstream-selector.js";
import {
  type EndpointSliceLike,
  SERVICE_TYPE_LABEL,
  VISIBILITY_LABEL,
} from "./kube-objects.js";

/** One address of an EndpointSlice, with what its conditions say. */
export interface EndpointTarget {
  readonly serviceType: string;
  readonly visibility: Visibility;
  readonly host: string;
  readonly port: number;
  readonly ready: boolean;
  readonly servingWhileTerminating: boolean;
  /** The backing pod, when the endpoint has a Pod targetRef. */
  readonly pod: { readonly name: string; readonly uid: string } | undefined;
}

const visibilities: readonly Visibility[] = ["public", "internal", "admin"];

/** Port the registry calls: the one named "grpc", else the first. */
function slicePort(slice: EndpointSliceLike): number | undefined {
  const ports = slice.ports ?? [];
  return (ports.find((port) => port.name === "grpc") ?? ports[0])?.port;
}

/** Reads every endpoint address of a labelled slice. */
export function endpointTargets(slice: EndpointSliceLike): EndpointTarget[] {
  const labels = slice.metadata?.labels ?? {};
  const serviceType = labels[SERVICE_TYPE_LABEL];
  const port = slicePort(slice);
  if (!serviceType || port === undefined || slice.addressType === "FQDN") return [];
  const label = labels[VISIBILITY_LABEL] as Visibility | undefined;
  const visibility = label && visibilities.includes(label) ? label : "internal";
  return (slice.endpoints ?? []).flatMap((endpoint) => {
    const conditions = endpoint.conditions ?? {};
    // The API documents an absent `ready` as "unknown", to be read as ready.
    const ready = conditions.ready !== false && conditions.terminating !== true;
    const servingWhileTerminating =
      conditions.serving === true && conditions.terminating === true;
    const ref = endpoint.targetRef;
    const pod =
      ref?.kind === "Pod" && ref.name
        ? { name: ref.name, uid: ref.uid ?? "" }
        : undefined;
    return (endpoint.addresses ?? []).slice(0, 1).map((host) => ({
      serviceType,
      visibility,
      host,
      port,
      ready,
      servingWhileTerminating,
      pod,
    }));
  });
}

/**
 * The endpoints of one type that may get traffic: the ready ones; when none
 * is ready, those still serving while terminating, so a rollout that
 * replaces every pod at once degrades instead of failing every call.
 */
export function trafficTargets(targets: readonly EndpointTarget[]): EndpointTarget[] {
  const ready = targets.filter((target) => target.ready);
  if (ready.length > 0) return ready;
  return targets.filter((target) => target.servingWhileTerminating);
}
