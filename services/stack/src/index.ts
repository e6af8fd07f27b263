// The local stack as a library, for the end-to-end tests.
export { createLinePrinter } from "./line-printer.js";
export {
  defaultRestartPolicy,
  type ExitInfo,
  ManagedProcess,
  type ProcessEvents,
  type RestartPolicy,
} from "./managed-process.js";
export { findBusyPorts } from "./port-check.js";
export { loadOrCreateRegistrySecret } from "./registry-secret.js";
export { type Stack, startStack } from "./stack.js";
export {
  defaultPorts,
  type ProcessSpec,
  planStack,
  type StackOptions,
  type StackPorts,
} from "./stack-plan.js";
