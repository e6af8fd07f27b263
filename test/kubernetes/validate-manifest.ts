import { isDeepStrictEqual } from "node:util";
import { dumpYaml, loadYaml } from "@kubernetes/client-node";
import { load } from "js-yaml";
import { CustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { Pod } from "kubernetes-models/v1/Pod";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { type CrdSchema, validateSchema } from "../fake-kube/crd-schema.js";
import type { Manifest } from "./render-chart.js";

type Model = new (data: never) => { validate(): void };

/** Every kind the chart renders, by "apiVersion/kind". A kind missing here
 * fails validation: a new kind must be added, never skipped. */
const models: Record<string, Model> = {
  "v1/Pod": Pod,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "rbac.authorization.k8s.io/v1/Role": Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": RoleBinding,
  "apiextensions.k8s.io/v1/CustomResourceDefinition": CustomResourceDefinition,
};

/** The chart's own custom resource, checked against its CRD's schema. */
const serviceInstanceType = "microtodo.dev/v1alpha1/ServiceInstance";

/**
 * Problems of one rendered object: its Kubernetes schema (kubernetes-models),
 * fields the Kubernetes API does not know (see unknownFields), or for a
 * ServiceInstance the CRD's schema. Empty when it is valid.
 */
export function manifestProblems(
  manifest: Manifest,
  serviceInstance: CrdSchema,
): string[] {
  const type = `${manifest.apiVersion}/${manifest.kind}`;
  const where = `${manifest.kind} ${manifest.metadata.name}`;
  if (type === serviceInstanceType) {
    return validateSchema(serviceInstance, manifest).map((p) => `${where}: ${p}`);
  }
  const model = models[type];
  if (!model) return [`${where}: no schema for ${type}; add it to validate-manifest.ts`];
  try {
    new model(manifest as never).validate();
  } catch (err) {
    return [`${where}: ${(err as Error).message}`];
  }
  return unknownFields(manifest).map((path) => `${where}: unknown field ${path}`);
}

/**
 * kubernetes-models does not reject fields a schema does not name (a typo
 * like `securityContex` would pass). The client library's typed models keep
 * only known fields: whatever a round trip through them loses is unknown.
 */
function unknownFields(manifest: Manifest): string[] {
  const roundTripped = load(dumpYaml(loadYaml(JSON.stringify(manifest))));
  return lostPaths(manifest, roundTripped, "");
}

function lostPaths(before: unknown, after: unknown, path: string): string[] {
  if (isDeepStrictEqual(before, after)) return [];
  if (!isRecord(before) || !isRecord(after)) return [path || "."];
  return Object.keys(before).flatMap((key) =>
    lostPaths(before[key], after[key], `${path}.${key}`),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
