import type { Logger } from "pino";
import type { ListenAddress } from "../server/create-service-server.js";
import type { RegistrationSpec, RegistryClient } from "./registry-client.js";
import { type RegistrationHandle, startRegistration } from "./start-registration.js";

/** The parts of commonConfig that say how this instance announces itself. */
export interface RegistrationConfig {
  /** Host others reach this instance at (MICROTODO_ADVERTISE_HOST). */
  readonly advertiseHost: string;
  /** This instance's name, the one its log records carry (MICROTODO_INSTANCE). */
  readonly instance: string;
  /** False on Kubernetes, where the cluster announces the instance. */
  readonly selfRegister: boolean;
}

/** Options for {@link registrationHooks}. */
export interface RegistrationHooksOptions {
  readonly client: RegistryClient;
  readonly config: RegistrationConfig;
  readonly logger: Logger;
  /** Everything but the address, which comes from the listening port. */
  readonly spec: Omit<RegistrationSpec, "address">;
}

/** runService hooks that register once listening and deregister before the drain. */
export interface RegistrationHooks {
  readonly onListening: (address: ListenAddress) => void;
  readonly onDrainStart: () => Promise<void>;
}

/**
 * The registration every service does, as runService hooks: once listening,
 * register at `advertiseHost:port` with the `instance` label (the admin UI
 * matches registry instances to log sources by it), and on shutdown
 * deregister before the drain starts, so the registry stops sending new
 * calls while in-flight ones finish.
 */
export function registrationHooks(options: RegistrationHooksOptions): RegistrationHooks {
  const { client, config, logger, spec } = options;
  let registration: RegistrationHandle | undefined;
  return {
    onListening: (address) => {
      registration = startRegistration({
        client,
        logger,
        selfRegister: config.selfRegister,
        spec: {
          ...spec,
          address: `${config.advertiseHost}:${address.port}`,
          metadata: { ...spec.metadata, instance: config.instance },
        },
      });
    },
    onDrainStart: async () => {
      await registration?.stop();
    },
  };
}
