// Public surface of the registry's balancers; see balancer.ts for the
// contract with the catalog.
export {
  BALANCER_NAMES,
  type Balancer,
  type BalancerName,
  type BalancerOptions,
  type Endpoint,
  isBalancerName,
  type PickContext,
} from "./balancer.js";
export {
  DEFAULT_BALANCER_OPTIONS,
  type ResolvedBalancerOptions,
  resolveBalancerOptions,
} from "./balancer-options.js";
export { createBalancer } from "./create-balancer.js";
export { hash32 } from "./hash32.js";
export { DEFAULT_LATENCY_DECAY_MS, nextLatencyEwmaMs } from "./latency-ewma.js";
