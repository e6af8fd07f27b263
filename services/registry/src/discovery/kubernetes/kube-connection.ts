import { readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";

const serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/** The API server connection: a kubeconfig file, or the pod's service
 * account when `path` is empty. */
export function loadKubeConfig(path: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path === "") kubeConfig.loadFromCluster();
  else kubeConfig.loadFromFile(path);
  return kubeConfig;
}

/** The namespace to watch: the configured one, else the pod's own, else
 * "default" (outside a cluster with no namespace configured). */
export function kubeNamespace(configured: string): string {
  if (configured !== "") return configured;
  try {
    return readFileSync(serviceAccountNamespace, "utf8").trim() || "default";
  } catch {
    return "default";
  }
}
