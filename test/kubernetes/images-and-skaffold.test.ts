import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const dockerfile = readFileSync(resolve(root, "Dockerfile"), "utf8");
const dockerignore = readFileSync(resolve(root, ".dockerignore"), "utf8");

/** The service images the chart runs, and the CLI for `helm test`. */
const imageTargets = ["registry", "auth", "todo", "logger", "admin", "cli"];

/** Stage names of `FROM <image> AS <name>` lines. */
function dockerTargets(text: string): string[] {
  return [...text.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)\s*$/gim)].map((m) => m[1] ?? "");
}

/** The instructions of one stage, from its FROM line to the next. */
function stage(text: string, name: string): string {
  const start = text.search(new RegExp(`^FROM\\s+\\S+\\s+AS\\s+${name}\\s*$`, "im"));
  if (start < 0) throw new Error(`no stage ${name}`);
  const rest = text.slice(start);
  const end = rest.slice(1).search(/^FROM\s/im);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

interface SkaffoldConfig {
  apiVersion: string;
  build: {
    artifacts: Array<{
      image: string;
      context?: string;
      docker: { dockerfile: string; target: string };
    }>;
  };
  deploy: {
    helm: {
      releases: Array<{
        name: string;
        chartPath: string;
        setValueTemplates: Record<string, string>;
      }>;
    };
  };
  portForward: Array<{ resourceType: string; resourceName: string; port: number }>;
}

describe("Dockerfile", () => {
  it("has a target per service image, each starting its own dist/main.js under tini", () => {
    const targets = dockerTargets(dockerfile);
    expect(targets).toEqual(expect.arrayContaining(imageTargets));
    for (const target of imageTargets) {
      const text = stage(dockerfile, target);
      expect(text, target).toMatch(/^FROM runtime AS/);
      const cmd = /^CMD \["node", "services\/([a-z]+)\/dist\/main\.js"/m.exec(text);
      expect(cmd?.[1], target).toBe(target);
    }
    const runtime = stage(dockerfile, "runtime");
    expect(runtime).toMatch(/^USER 1000:1000$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
  });

  it("installs each image's production dependencies of its own workspace only", () => {
    for (const target of imageTargets) {
      const files = stage(dockerfile, `${target}-files`);
      expect(files, target).toContain(
        `npm ci --omit=dev --no-audit --no-fund --workspace services/${target}`,
      );
    }
  });

  it("copies the package.json of every npm workspace before npm ci", () => {
    const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as {
      workspaces: string[];
    };
    const toolchain = stage(dockerfile, "toolchain");
    for (const workspace of pkg.workspaces) {
      expect(toolchain, workspace).toContain(
        `COPY ${workspace}/package.json ${workspace}/`,
      );
    }
  });

  it("copies only files that exist into the build context", () => {
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      (m[1] ?? "").split(/\s+/),
    );
    for (const path of copied) expect(existsSync(resolve(root, path)), path).toBe(true);
    for (const path of copied) {
      const top = path.split("/")[0] ?? "";
      expect(dockerignore, `${path} must not be ignored`).toMatch(
        new RegExp(`^!${top.replace(".", "\\.")}/?$`, "m"),
      );
    }
  });
});

describe("skaffold.yaml", () => {
  const config = load(
    readFileSync(resolve(root, "skaffold.yaml"), "utf8"),
  ) as SkaffoldConfig;

  it("builds one artifact per image from a Dockerfile target that exists", () => {
    expect(config.apiVersion).toMatch(/^skaffold\/v4beta\d+$/);
    const targets = dockerTargets(dockerfile);
    const artifacts = config.build.artifacts.map((a) => [a.image, a.docker.target]);
    expect(artifacts).toEqual(imageTargets.map((t) => [`microtodo-${t}`, t]));
    for (const a of config.build.artifacts) {
      expect(targets).toContain(a.docker.target);
      expect(a.docker.dockerfile).toBe("Dockerfile");
    }
  });

  it("deploys the chart with the tag and repository of every image it built", () => {
    const [release] = config.deploy.helm.releases;
    expect(release?.chartPath).toBe("charts/micro-todo");
    const values = release?.setValueTemplates ?? {};
    const valuesKey: Record<string, string> = { cli: "helmTest" };
    for (const target of imageTargets) {
      const key = valuesKey[target] ?? target;
      const image = `microtodo_${target}`;
      expect(values[`${key}.image.repository`]).toBe(`{{.IMAGE_REPO_${image}}}`);
      expect(values[`${key}.image.tag`]).toBe(`{{.IMAGE_TAG_${image}}}`);
    }
    const chartValues = load(
      readFileSync(resolve(root, "charts/micro-todo/values.yaml"), "utf8"),
    ) as Record<string, { image?: { repository: string } }>;
    for (const key of Object.keys(values).map((k) => k.split(".")[0] ?? "")) {
      expect(chartValues[key]?.image?.repository, key).toBeTruthy();
    }
  });

  it("forwards the registry's public port and the admin UI", () => {
    const release = config.deploy.helm.releases[0]?.name;
    expect(
      config.portForward.map((p) => [p.resourceType, p.resourceName, p.port]),
    ).toEqual([
      ["service", `${release}-registry`, 8080],
      ["service", `${release}-admin`, 8090],
    ]);
  });
});
