import { createHttpKeySource, createTokenVerifier } from "@microtodo/kit";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import type { AuthHarness } from "../testing/auth-harness.js";
import { startAuthHarness } from "../testing/auth-harness.js";
import { addJwksRoute } from "./jwks-route.js";

let harness: AuthHarness | undefined;
const app = Fastify();
afterEach(async () => {
  await app.close();
  await harness?.close();
});

describe("GET /.well-known/jwks.json", () => {
  it("publishes the keys that the kit verifier checks auth's tokens with", async () => {
    harness = await startAuthHarness();
    addJwksRoute(app, { jwks: harness.core.jwks });
    const baseUrl = await app.listen({ host: "127.0.0.1", port: 0 });

    const response = await fetch(`${baseUrl}/.well-known/jwks.json`);
    expect(response.headers.get("cache-control")).toBe("public, max-age=60");
    const body = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys).toHaveLength(1);
    expect(body.keys[0]).toMatchObject({
      kty: "OKP",
      crv: "Ed25519",
      alg: "EdDSA",
      use: "sig",
    });
    expect(body.keys[0]).not.toHaveProperty("d");

    const password = "correct horse battery staple";
    await harness.client.register({ username: "alice", password });
    const { tokens } = await harness.client.login({ username: "alice", password });
    const verifier = createTokenVerifier({ keySource: createHttpKeySource({ baseUrl }) });
    await expect(verifier.verify(tokens?.accessToken ?? "")).resolves.toMatchObject({
      username: "alice",
      roles: ["user"],
    });
  });
});
