import { existsSync } from "node:fs";
import { join } from "node:path";

/** Ports of every listener the local stack opens. */
export interface StackPorts {
  /** The registry's public listener, the only door for clients. Default 8080. */
  readonly public: number;
  /** The registry's internal listener, for services and operators. Default 8081. */
  readonly internal: number;
  readonly auth: number;
  /** One port per todo instance. */
  readonly todo: readonly number[];
  readonly logger: number;
  readonly admin: number;
}

/** How to run the stack; `planStack` turns it into process specs. */
export interface StackOptions {
  /** The repository root, where services/ lives. */
  readonly rootDir: string;
  /** Where every service keeps its files. Default ./data. */
  readonly dataDir: string;
  /** Address every listener binds to. Default 127.0.0.1. */
  readonly host: string;
  readonly ports: StackPorts;
  /** Weight of each todo instance, in the order of `ports.todo`. */
  readonly todoWeights: readonly number[];
  /** The shared registration secret. */
  readonly registrySecret: string;
  /** When set, auth and todo store their data in Redis instead of SQLite. */
  readonly redisUrl?: string;
  /** "dist" runs the built JavaScript; "source" runs TypeScript through tsx. */
  readonly runFrom: "dist" | "source";
  /** Extra variables passed to every process (log level, admin account). */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

/** One process of the stack. */
export interface ProcessSpec {
  /** Short name shown before each line of output, e.g. "todo-2". */
  readonly name: string;
  readonly serviceType: string;
  /** Arguments for `node`. */
  readonly nodeArgs: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Answers 200 once the process is ready to serve. */
  readonly readyUrl: string;
}

export const defaultPorts: StackPorts = Object.freeze({
  public: 8080,
  internal: 8081,
  auth: 8082,
  todo: Object.freeze([8083, 8085]),
  logger: 8084,
  admin: 8090,
});

/** Lists the processes to start, registry first, skipping services whose
 * entry point does not exist (not built, or not written yet). */
export function planStack(options: StackOptions): ProcessSpec[] {
  const specs: ProcessSpec[] = [registrySpec(options)];
  const registryUrl = `http://${options.host}:${options.ports.internal}`;
  const shared = {
    ...options.extraEnv,
    MICROTODO_HOST: options.host,
    MICROTODO_DATA_DIR: options.dataDir,
    MICROTODO_REGISTRY_URL: registryUrl,
    MICROTODO_REGISTRY_SECRET: options.registrySecret,
  };
  const store: Record<string, string> = options.redisUrl
    ? { MICROTODO_REDIS_URL: options.redisUrl }
    : {};
  const service = (
    name: string,
    type: string,
    port: number,
    env: Record<string, string>,
  ) => serviceSpec(options, { name, type, port, env: { ...shared, ...env } });

  specs.push(service("logger", "logger", options.ports.logger, {}));
  specs.push(service("auth", "auth", options.ports.auth, store));
  options.ports.todo.forEach((port, i) => {
    const weight = String(options.todoWeights[i] ?? 100);
    specs.push(
      service(`todo-${i + 1}`, "todo", port, { ...store, MICROTODO_WEIGHT: weight }),
    );
  });
  specs.push(service("admin", "admin", options.ports.admin, {}));
  return specs.filter((spec) => spec.nodeArgs.length > 0);
}

function registrySpec(options: StackOptions): ProcessSpec {
  return {
    name: "registry",
    serviceType: "registry",
    nodeArgs: entryArgs(options, "registry"),
    env: {
      ...options.extraEnv,
      MICROTODO_INSTANCE: "registry-1",
      MICROTODO_PUBLIC_HOST: options.host,
      MICROTODO_PUBLIC_PORT: String(options.ports.public),
      MICROTODO_INTERNAL_HOST: options.host,
      MICROTODO_INTERNAL_PORT: String(options.ports.internal),
      MICROTODO_REGISTRY_SECRET: options.registrySecret,
      MICROTODO_DATA_DIR: options.dataDir,
    },
    readyUrl: `http://${options.host}:${options.ports.internal}/readyz`,
  };
}

interface ServiceSpecInput {
  readonly name: string;
  readonly type: string;
  readonly port: number;
  readonly env: Record<string, string>;
}

function serviceSpec(options: StackOptions, input: ServiceSpecInput): ProcessSpec {
  return {
    name: input.name,
    serviceType: input.type,
    nodeArgs: entryArgs(options, input.type),
    env: {
      ...input.env,
      MICROTODO_INSTANCE: input.name,
      MICROTODO_PORT: String(input.port),
    },
    readyUrl: `http://${options.host}:${input.port}/readyz`,
  };
}

/** The node arguments that start a service, or none when it isn't there. */
function entryArgs(options: StackOptions, service: string): string[] {
  const dir = join(options.rootDir, "services", service);
  if (options.runFrom === "dist") {
    const entry = join(dir, "dist", "main.js");
    return existsSync(entry) ? [entry] : [];
  }
  const entry = join(dir, "src", "main.ts");
  return existsSync(entry) ? ["--import", "tsx", "--conditions", "source", entry] : [];
}
