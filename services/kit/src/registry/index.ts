export {
  type RegistrationConfig,
  type RegistrationHooks,
  type RegistrationHooksOptions,
  registrationHooks,
} from "./registration-hooks.js";
export {
  createRegistryClient,
  type RegistrationSpec,
  type RegistryClient,
  type RegistryClientOptions,
  type RegistryLease,
  type ResolvedInstance,
  type ServiceVisibility,
} from "./registry-client.js";
export {
  type RegistrationHandle,
  type StartRegistrationOptions,
  startRegistration,
} from "./start-registration.js";
