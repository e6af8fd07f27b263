// The microtodo CLI as a library: end-to-end tests run commands in-process
// with their own CliIo instead of spawning the binary.
export { DEFAULT_REGISTRY_URL } from "./cli-config.js";
export type { CliIo, InputStream, TextSink } from "./cli-io.js";
export { createProcessIo } from "./cli-io.js";
export { allCommands } from "./commands/all-commands.js";
export type { CredentialsStore, StoredSession } from "./credentials-store.js";
export { createCredentialsStore } from "./credentials-store.js";
export { runCli } from "./run-cli.js";
