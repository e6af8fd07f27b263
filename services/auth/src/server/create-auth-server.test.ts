import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { AuthService } from "@microtodo/api/auth";
import type { ServiceServer } from "@microtodo/kit";
import { afterEach, describe, expect, it } from "vitest";
import type { AuthHarness } from "../testing/auth-harness.js";
import { startAuthHarness, testSettings } from "../testing/auth-harness.js";
import { createAuthServer } from "./create-auth-server.js";

let harness: AuthHarness | undefined;
let server: ServiceServer | undefined;
afterEach(async () => {
  await server?.close({ timeoutMs: 1_000 });
  await harness?.close();
});

describe("createAuthServer", () => {
  it("serves AuthService over Connect and gRPC, the JWKS, and throttles by TCP peer", async () => {
    harness = await startAuthHarness({
      settings: { throttle: { ...testSettings.throttle, addressThreshold: 2 } },
    });
    server = await createAuthServer({
      core: harness.core,
      logger: harness.logger,
      instance: "t",
    });
    const { url } = await server.listen({ host: "127.0.0.1", port: 0 });
    const connect = createClient(
      AuthService,
      createConnectTransport({ baseUrl: url, httpVersion: "1.1" }),
    );
    const grpc = createClient(AuthService, createGrpcTransport({ baseUrl: url }));

    const password = "correct horse battery staple";
    await connect.register({ username: "alice", password });
    const { tokens } = await connect.login({ username: "alice", password });
    const who = await grpc.authenticate({ accessToken: tokens?.accessToken ?? "" });
    expect(who.username).toBe("alice");

    const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as {
      keys: unknown[];
    };
    expect(jwks.keys).toHaveLength(1);

    for (const username of ["x-1", "x-2"]) {
      await expect(connect.login({ username, password })).rejects.toMatchObject({
        code: Code.Unauthenticated,
      });
    }
    const locked = await connect.login({ username: "alice", password }).catch((e) => e);
    expect(ConnectError.from(locked).code).toBe(Code.ResourceExhausted);
  });
});
