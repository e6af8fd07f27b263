import type { DescMethod, DescService } from "@bufbuild/protobuf";
import {
  type ConnectRouter,
  createMethodImplSpec,
  type MethodImplSpec,
} from "@connectrpc/connect";
import { createMethodSerializationLookup } from "@connectrpc/connect/protocol";

/** A unary method's implementation, found by its request path. */
export interface UnaryRoute {
  readonly spec: MethodImplSpec & { kind: "unary" };
  /** The route fastify knows the method by: `/package.Service/Method`. */
  readonly path: string;
  /** Connect's own parsers and serializers, with the server's size limit. */
  readonly serialization: ReturnType<typeof createMethodSerializationLookup>;
}

/**
 * The unary methods of every service registered on a router, by request
 * path. Filled while the Connect plugin registers the routes; the fast path
 * reads it afterwards.
 */
export class UnaryRoutes {
  readonly #byPath = new Map<string, UnaryRoute>();

  /** `readMaxBytes`: the largest request message, as Connect's handlers get it. */
  constructor(readonly readMaxBytes: number) {}

  get(path: string): UnaryRoute | undefined {
    return this.#byPath.get(path);
  }

  /**
   * A router that registers everything on `router` and remembers the unary
   * methods. Services registered with their own handler options keep to
   * Connect's handler: the fast path could not honour those options.
   */
  recording(router: ConnectRouter): ConnectRouter {
    const recording: ConnectRouter = {
      get handlers() {
        return router.handlers;
      },
      service: (service, implementation, options) => {
        router.service(service, implementation, options);
        if (options === undefined) this.#addService(service, implementation);
        return recording;
      },
      rpc: (method, impl, options) => {
        router.rpc(method, impl, options);
        return recording;
      },
    };
    return recording;
  }

  #addService(service: DescService, implementation: object): void {
    const impl = implementation as Record<string, unknown>;
    for (const method of service.methods) {
      const fn = impl[method.localName];
      if (method.methodKind !== "unary" || typeof fn !== "function") continue;
      this.#add(method, fn.bind(implementation));
    }
  }

  #add(method: DescMethod, fn: unknown): void {
    // createMethodImplSpec checks nothing; the cast only restores the type
    // Connect's own ServiceImpl lookup would have given `fn`.
    const spec = createMethodImplSpec(method, fn as never) as UnaryRoute["spec"];
    const path = `/${method.parent.typeName}/${method.name}`;
    const serialization = createMethodSerializationLookup(method, undefined, undefined, {
      readMaxBytes: this.readMaxBytes,
      writeMaxBytes: 0xffffffff,
    });
    this.#byPath.set(path, { spec, path, serialization });
  }
}
