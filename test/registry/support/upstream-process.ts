import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const fixture = fileURLToPath(
  new URL("../fixtures/upstream-instance.ts", import.meta.url),
);

/** A test upstream running as a child process. */
export interface UpstreamProcess {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
}

/** Settings of one upstream process, passed as FIXTURE_* variables. */
export interface UpstreamProcessOptions {
  readonly name: string;
  readonly serviceType: string;
  readonly registryUrl: string;
  readonly secret: string;
  readonly status?: number;
  readonly delayMs?: number;
}

/** Spawns the fixture under tsx and waits until it has registered. */
export async function spawnUpstream(
  options: UpstreamProcessOptions,
): Promise<UpstreamProcess> {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", fixture],
    {
      env: {
        ...process.env,
        FIXTURE_NAME: options.name,
        FIXTURE_SERVICE_TYPE: options.serviceType,
        FIXTURE_STATUS: String(options.status ?? 200),
        FIXTURE_DELAY_MS: String(options.delayMs ?? 0),
        MICROTODO_REGISTRY_URL: options.registryUrl,
        MICROTODO_REGISTRY_SECRET: options.secret,
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let port = 0;
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const registered = new Promise<void>((resolve, reject) => {
    lines.on("line", (line) => {
      const event = JSON.parse(line) as { event: string; port?: number };
      if (event.event === "listening") port = event.port ?? 0;
      if (event.event === "registered") resolve();
    });
    void exited.then(() => reject(new Error(`upstream ${options.name} exited early`)));
  });
  await registered;
  return { name: options.name, port, child, exited };
}
