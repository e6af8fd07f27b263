import { stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { isApiPath } from "../http/security-headers.js";

const notBuiltPage =
  "The admin front end is not built.\n" +
  "Run `make build` (it builds services/admin/dist/web), then reload.\n";

/** Vite names files under assets/ by their content hash, so they never change. */
const immutableCacheControl = "public, max-age=31536000, immutable";

/**
 * Serves the built front end from `webDir` with @fastify/static: files
 * under /assets/ cache for a year, everything else revalidates. Any other
 * GET outside /api and /assets that is not a file gets index.html, so client routes
 * (/signin, /instances/…) load the app; without a build it answers 503
 * saying how to make one. Files are looked up on every request (no list
 * made at start), so building the front end needs no restart; dotfiles
 * and paths outside `webDir` are never served.
 */
export async function registerStaticFiles(
  app: FastifyInstance,
  webDir: string,
): Promise<void> {
  const root = resolve(webDir);
  const assetsDir = join(root, "assets") + sep;
  await app.register(fastifyStatic, {
    root,
    wildcard: true,
    dotfiles: "ignore",
    // The plugin's own Cache-Control is one policy for every file.
    cacheControl: false,
    setHeaders: (res, path) => {
      const immutable = path.startsWith(assetsDir);
      res.setHeader("cache-control", immutable ? immutableCacheControl : "no-cache");
    },
    // /api paths the API does not know are answered by the fallback below.
    allowedPath: (path) => !isApiPath(path),
  });
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split("?", 1)[0] ?? "/";
    const isRead = request.method === "GET" || request.method === "HEAD";
    // A missing hashed asset (a page older than the last build) is a 404,
    // not index.html: HTML under a script's name only confuses the browser.
    if (!isRead || isApiPath(path) || path.startsWith("/assets/")) {
      return reply
        .code(404)
        .send({ code: "not_found", message: `no route ${request.method} ${path}` });
    }
    // Checked first: sendFile of a missing file would land in this very
    // handler again, which fastify answers with a bare 404.
    if (!(await isFile(join(root, "index.html")))) {
      return reply.code(503).type("text/plain; charset=utf-8").send(notBuiltPage);
    }
    return reply.sendFile("index.html");
  });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
