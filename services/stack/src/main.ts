#!/usr/bin/env node
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { createLinePrinter } from "./line-printer.js";
import type { ProcessEvents } from "./managed-process.js";
import { findBusyPorts } from "./port-check.js";
import { loadOrCreateRegistrySecret } from "./registry-secret.js";
import { startStack } from "./stack.js";
import { defaultPorts, planStack, type StackOptions } from "./stack-plan.js";

const usage = `Usage: microtodo-stack [options]

Runs the whole micro-todo system on this machine: the registry, auth, two
todo instances (weights 300 and 100), the logger and the admin UI, each as
its own process, restarted with backoff if it crashes. Ctrl-C stops them
all; data stays in the data directory for the next run.

Options:
  --data-dir DIR     where services keep their files (default ./data)
  --host HOST        address every listener binds to (default 127.0.0.1)
  --redis-url URL    store auth and todo data in Redis instead of SQLite
                     (default: $MICROTODO_REDIS_URL, unset means SQLite)
  --raw-logs         print services' JSON log lines as they are
  -h, --help         show this text
`;

function parseOptions(argv: string[]): { options: StackOptions; rawLogs: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      "data-dir": { type: "string", default: "data" },
      host: { type: "string", default: "127.0.0.1" },
      "redis-url": { type: "string" },
      "raw-logs": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const dataDir = resolve(values["data-dir"]);
  const redisUrl = values["redis-url"] ?? process.env.MICROTODO_REDIS_URL;
  const options: StackOptions = {
    rootDir: resolve(import.meta.dirname, "../../.."),
    dataDir,
    host: values.host,
    ports: defaultPorts,
    todoWeights: [300, 100],
    registrySecret: loadOrCreateRegistrySecret(dataDir),
    runFrom: "dist",
    ...(redisUrl ? { redisUrl } : {}),
  };
  return { options, rawLogs: values["raw-logs"] };
}

function banner(options: StackOptions): string {
  const { host, ports } = options;
  const hasAdmin = planStack(options).some((spec) => spec.serviceType === "admin");
  const admin = hasAdmin ? `http://${host}:${ports.admin}` : "not built (make build)";
  const store = options.redisUrl
    ? `Redis at ${options.redisUrl}`
    : `SQLite in ${options.dataDir}`;
  return `
micro-todo, on this machine
  public listener    http://${host}:${ports.public}    clients: CLI, Connect, gRPC, REST /api/todos
  internal listener  http://${host}:${ports.internal}    services and operators (changes need the secret in ${options.dataDir}/registry-secret)
  admin UI           ${admin}
  data               ${store}

Try, in another terminal:
  npx microtodo register alice && npx microtodo login alice
  npx microtodo add "Buy milk" && npx microtodo ls
  curl -s -H 'content-type: application/json' -d '{}' \\
    http://${host}:${ports.internal}/microtodo.registry.v1.RegistryService/ListInstances
`;
}

async function main(): Promise<void> {
  const { options, rawLogs } = parseOptions(process.argv.slice(2));
  const { ports } = options;
  const busy = await findBusyPorts(options.host, [
    ports.public,
    ports.internal,
    ports.auth,
    ...ports.todo,
    ports.logger,
    ports.admin,
  ]);
  if (busy.length > 0) {
    process.stderr.write(
      `microtodo-stack: ports already in use on ${options.host}: ${busy.join(", ")}; ` +
        "stop whatever holds them (an earlier `make run`?) and try again\n",
    );
    process.exit(1);
  }
  process.stdout.write(banner(options));

  const print = createLinePrinter({
    colour: Boolean(process.stdout.isTTY),
    nameWidth: 8,
  });
  const say = (name: string, text: string) =>
    process.stdout.write(`${print(name, text)}\n`);
  const events: ProcessEvents = {
    line: (spec, line) =>
      process.stdout.write(
        `${rawLogs ? `${spec.name} | ${line}` : print(spec.name, line)}\n`,
      ),
    started: (spec, pid) => say(spec.name, `started (pid ${pid})`),
    crashed: (spec, exit, delayMs) =>
      say(
        spec.name,
        `exited unexpectedly (${exit.signal ?? `code ${exit.code}`}); restarting in ${delayMs} ms`,
      ),
  };

  let stopping = false;
  let exitCode = 0;
  const stack = await startStack(options, {
    ...events,
    // A refused configuration will not fix itself: say so and stop the rest.
    refused: (spec) => {
      say(spec.name, "refused its configuration (exit code 2; see the lines above)");
      exitCode = 2;
      void stop();
    },
  });
  const stop = async () => {
    if (stopping) {
      for (const p of stack.processes.values()) p.kill("SIGKILL");
      process.exit(130);
    }
    stopping = true;
    say("stack", "stopping every service (Ctrl-C again to kill them now)");
    await stack.stop();
    say("stack", "stopped");
    process.exit(exitCode);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    await stack.waitReady(60_000);
    say("stack", `ready: clients go to http://${options.host}:${ports.public}`);
  } catch (err) {
    say("stack", `${(err as Error).message}; still trying, see the lines above`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`microtodo-stack: ${(err as Error).message}\n`);
  process.exit(1);
});
