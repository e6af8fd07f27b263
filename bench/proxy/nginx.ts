import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Child, stopChild } from "./child-process.js";

const nginxBinary = "/usr/sbin/nginx";

/** nginx (the Debian package) as a reverse proxy over `upstreamPorts`, with
 * pooled keep-alive upstream connections: the bar the proxy is held to.
 * One worker, in the foreground, with every path inside a temp dir. */
export async function startNginx(upstreamPorts: readonly number[]): Promise<Child> {
  const dir = mkdtempSync(join(tmpdir(), "bench-nginx-"));
  const port = await freePort();
  writeFileSync(join(dir, "nginx.conf"), nginxConfig(dir, port, upstreamPorts));
  const child = spawn(
    nginxBinary,
    ["-p", dir, "-e", join(dir, "error.log"), "-c", "nginx.conf"],
    {
      stdio: "ignore",
    },
  );
  try {
    await waitUntilListening(port, () => child.exitCode !== null);
  } catch (err) {
    child.kill("SIGKILL");
    const log = readFileSync(join(dir, "error.log"), "utf8");
    throw new Error(`nginx did not start: ${(err as Error).message}\n${log}`);
  }
  return {
    port,
    process: child,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function nginxConfig(
  dir: string,
  port: number,
  upstreamPorts: readonly number[],
): string {
  const servers = upstreamPorts.map((p) => `    server 127.0.0.1:${p};`).join("\n");
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client-body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream instances {
${servers}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://instances;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitUntilListening(port: number, exited: () => boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (exited()) {
      throw new Error("nginx exited");
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) {
      return;
    }
    await sleep(50);
  }
  throw new Error(`nothing listens on port ${port} after 5 s`);
}
