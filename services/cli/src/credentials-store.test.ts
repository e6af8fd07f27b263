import { mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliError } from "./cli-errors.js";
import { createCredentialsStore, type StoredSession } from "./credentials-store.js";

let dir: string;
let path: string;

const session = (username: string): StoredSession => ({
  userId: `u-${username}`,
  username,
  accessToken: `at-${username}`,
  accessTokenExpiresAt: "2030-01-01T00:00:00.000Z",
  refreshToken: `rt-${username}`,
  refreshTokenExpiresAt: "2030-02-01T00:00:00.000Z",
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "microtodo-store-"));
  path = join(dir, "config", "microtodo", "credentials.json");
});

afterEach(() => rm(dir, { recursive: true, force: true }));

describe("credentials store", () => {
  it("writes a 0600 file and keeps one entry per registry", async () => {
    const store = createCredentialsStore(path);
    await store.update("http://a:8080", async () => session("ann"));
    await store.update("http://b:8080", async () => session("ben"));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await store.load("http://a:8080")).toEqual(session("ann"));
    expect((await store.load("http://b:8080"))?.username).toBe("ben");

    await store.update("http://a:8080", async () => undefined);
    expect(await store.load("http://a:8080")).toBeUndefined();
    expect(JSON.parse(await readFile(path, "utf8")).registries).toEqual({
      "http://b:8080": session("ben"),
    });
  });

  it("serialises concurrent updates so none is lost", async () => {
    const store = createCredentialsStore(path);
    const names = ["a", "b", "c", "d", "e", "f"];
    await Promise.all(
      names.map((n) => store.update(`http://${n}`, async () => session(n))),
    );
    for (const n of names) expect((await store.load(`http://${n}`))?.username).toBe(n);
  });

  it("takes over a lock left behind by a crashed process", async () => {
    const store = createCredentialsStore(path, {
      lockStaleMs: 1_000,
      lockTimeoutMs: 5_000,
    });
    await store.update("http://a", async () => session("ann"));
    await writeFile(`${path}.lock`, "12345");
    const old = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, old, old);
    await store.update("http://a", async () => session("amy"));
    expect((await store.load("http://a"))?.username).toBe("amy");
  });

  it("explains a file it cannot read instead of overwriting it", async () => {
    const store = createCredentialsStore(path);
    await store.update("http://a", async () => session("ann"));
    await writeFile(path, "{not json");
    await expect(store.load("http://a")).rejects.toThrow(CliError);
    await expect(store.load("http://a")).rejects.toThrow(/delete it and log in again/);
  });
});
