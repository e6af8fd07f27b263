import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadAll } from "js-yaml";
import { helmBinary } from "./helm-binary.js";

const helmHome = join(tmpdir(), "microtodo-helm-home");
const helmEnv = {
  PATH: process.env.PATH ?? "",
  HELM_CACHE_HOME: join(helmHome, "cache"),
  HELM_CONFIG_HOME: join(helmHome, "config"),
  HELM_DATA_HOME: join(helmHome, "data"),
  KUBECONFIG: join(helmHome, "no-kubeconfig"),
};

/** The chart under test. */
export const chartDir = resolve(import.meta.dirname, "../../charts/micro-todo");

/** What a helm command printed and how it ended. */
export interface HelmResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the extracted helm binary with `args`, never throwing on exit != 0. */
export async function runHelm(args: readonly string[]): Promise<HelmResult> {
  const helm = await helmBinary();
  return new Promise((done) => {
    execFile(
      helm,
      args,
      // Nothing of the user's (kubeconfig, repositories, plugins): helm
      // template and lint need none of it, and it must not change results.
      { maxBuffer: 16 * 1024 * 1024, env: helmEnv },
      (err, stdout, stderr) => {
        const code = err ? Number(err.code ?? 1) : 0;
        done({ code: Number.isInteger(code) ? code : 1, stdout, stderr });
      },
    );
  });
}

/** A rendered Kubernetes object, as plain JSON. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

/** How to render: values files (relative to the chart) and --set pairs. */
export interface RenderOptions {
  readonly valuesFiles?: readonly string[];
  readonly set?: Readonly<Record<string, string>>;
  /** --set-json pairs, for lists. */
  readonly setJson?: Readonly<Record<string, string>>;
}

/** The release name every render uses. */
export const releaseName = "mt";

/** Arguments of `helm template` for `options`, CRDs included. */
export function templateArgs(options: RenderOptions = {}): string[] {
  const args = [
    "template",
    releaseName,
    chartDir,
    "--namespace",
    "todo-ns",
    "--include-crds",
  ];
  for (const file of options.valuesFiles ?? [])
    args.push("--values", resolve(chartDir, file));
  for (const [key, value] of Object.entries(options.set ?? {}))
    args.push("--set", `${key}=${value}`);
  for (const [key, value] of Object.entries(options.setJson ?? {}))
    args.push("--set-json", `${key}=${value}`);
  return args;
}

/** Renders the chart and parses every document; throws with helm's stderr on failure. */
export async function renderChart(options: RenderOptions = {}): Promise<Manifest[]> {
  const result = await runHelm(templateArgs(options));
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseManifests(result.stdout);
}

/** Parses a multi-document YAML stream, dropping empty documents. */
export function parseManifests(text: string): Manifest[] {
  return loadAll(text).filter(
    (doc): doc is Manifest => typeof doc === "object" && doc !== null,
  );
}
