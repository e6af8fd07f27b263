import { isAbsolute, join } from "node:path";
import { UsageError } from "./cli-errors.js";

/** Where the CLI talks to when neither --registry nor the env variable says. */
export const DEFAULT_REGISTRY_URL = "http://localhost:8080";

/** Everything the CLI takes from its environment, resolved once per run. */
export interface CliConfig {
  /** The registry's public listener, normalised (no trailing slash). */
  readonly registryUrl: string;
  /** The credentials file (default ~/.config/microtodo/credentials.json). */
  readonly credentialsPath: string;
}

/**
 * Reads --registry, MICROTODO_REGISTRY_PUBLIC_URL, XDG_CONFIG_HOME and the
 * home directory. This is the only place the CLI looks at the environment.
 */
export function resolveCliConfig(
  registryFlag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  homeDir: string,
): CliConfig {
  const raw = registryFlag ?? (env.MICROTODO_REGISTRY_PUBLIC_URL || DEFAULT_REGISTRY_URL);
  return Object.freeze({
    registryUrl: normaliseRegistryUrl(raw),
    credentialsPath: join(configHome(env, homeDir), "microtodo", "credentials.json"),
  });
}

/** "http://Host:8080/x/" → "http://host:8080/x": one key per registry. */
export function normaliseRegistryUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `--registry must be a URL such as ${DEFAULT_REGISTRY_URL}, got '${raw}'`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--registry must be an http:// or https:// URL, got '${raw}'`);
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

// The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
function configHome(env: Readonly<Record<string, string | undefined>>, homeDir: string) {
  const xdg = env.XDG_CONFIG_HOME;
  return xdg && isAbsolute(xdg) ? xdg : join(homeDir, ".config");
}
