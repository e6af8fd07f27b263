import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CliError } from "./cli-errors.js";

/** The sign-in kept for one registry. Times are ISO 8601 strings. */
export interface StoredSession {
  readonly userId: string;
  readonly username: string;
  readonly accessToken: string;
  readonly accessTokenExpiresAt: string;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: string;
}

/** Options of createCredentialsStore. */
export interface CredentialsStoreOptions {
  /** How long to wait for another microtodo process's lock (default 20 000). */
  readonly lockTimeoutMs?: number;
  /** Age after which a lock is taken as left by a crashed process (default 30 000). */
  readonly lockStaleMs?: number;
}

/** Sign-ins by registry URL in one owner-only JSON file. */
export interface CredentialsStore {
  readonly path: string;
  /** The sign-in for a registry, or undefined when there is none. */
  load(registryUrl: string): Promise<StoredSession | undefined>;
  /**
   * Replaces a registry's sign-in with what `change` returns (undefined
   * removes it) while holding a lock file, so two microtodo processes never
   * both spend the same single-use refresh token.
   */
  update(
    registryUrl: string,
    change: (current: StoredSession | undefined) => Promise<StoredSession | undefined>,
  ): Promise<StoredSession | undefined>;
}

interface CredentialsFile {
  version: 1;
  registries: Record<string, StoredSession>;
}

const fileMode = 0o600;
const dirMode = 0o700;
const lockPollMs = 50;

/** A store on the file at `path`; nothing is touched until first use. */
export function createCredentialsStore(
  path: string,
  options: CredentialsStoreOptions = {},
): CredentialsStore {
  const lockTimeoutMs = options.lockTimeoutMs ?? 20_000;
  const lockStaleMs = options.lockStaleMs ?? 30_000;
  return {
    path,
    async load(registryUrl) {
      return (await readCredentials(path)).registries[registryUrl];
    },
    async update(registryUrl, change) {
      await ensurePrivateDir(dirname(path));
      return withLockFile(`${path}.lock`, lockTimeoutMs, lockStaleMs, async () => {
        const file = await readCredentials(path);
        const current = file.registries[registryUrl];
        const next = await change(current);
        if (next === current) return current;
        if (next) file.registries[registryUrl] = next;
        else delete file.registries[registryUrl];
        await writeCredentials(path, file);
        return next;
      });
    },
  };
}

async function readCredentials(path: string): Promise<CredentialsFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return emptyFile();
    throw err;
  }
  const parsed = parseCredentials(text);
  if (!parsed) {
    throw new CliError(
      `${path} is not a microtodo credentials file; delete it and log in again`,
    );
  }
  return parsed;
}

function parseCredentials(text: string): CredentialsFile | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const file = value as Partial<CredentialsFile> | null;
  if (file?.version !== 1 || typeof file.registries !== "object" || !file.registries) {
    return undefined;
  }
  const registries: Record<string, StoredSession> = {};
  for (const [url, entry] of Object.entries(file.registries)) {
    if (isStoredSession(entry)) registries[url] = entry;
  }
  return { version: 1, registries };
}

function isStoredSession(value: unknown): value is StoredSession {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  const keys: (keyof StoredSession)[] = [
    "userId",
    "username",
    "accessToken",
    "accessTokenExpiresAt",
    "refreshToken",
    "refreshTokenExpiresAt",
  ];
  return keys.every((key) => typeof entry[key] === "string");
}

function emptyFile(): CredentialsFile {
  return { version: 1, registries: {} };
}

// Written to a private temp file and renamed over the old one, so a reader
// never sees half a file and the tokens are never readable by others.
async function writeCredentials(path: string, file: CredentialsFile): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temp, "wx", fileMode);
  try {
    await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: dirMode });
  // mkdir leaves an existing directory's mode alone; tighten it.
  await chmod(dir, dirMode);
}

async function withLockFile<T>(
  lockPath: string,
  timeoutMs: number,
  staleMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (!(await tryCreateLock(lockPath, staleMs))) {
    if (Date.now() > deadline) {
      throw new CliError(
        `another microtodo holds ${lockPath}; if none runs, delete that file`,
      );
    }
    await sleep(lockPollMs);
  }
  try {
    return await work();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function tryCreateLock(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const handle = await open(lockPath, "wx", fileMode);
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const info = await stat(lockPath).catch(() => undefined);
  if (info && Date.now() - info.mtimeMs > staleMs) {
    await unlink(lockPath).catch(() => undefined);
  }
  return false;
}
