import { afterEach, describe, expect, it } from "vitest";
import type { AuthHarness } from "../testing/auth-harness.js";
import { startAuthHarness } from "../testing/auth-harness.js";
import { createKeySealer } from "./key-sealer.js";

let harness: AuthHarness | undefined;
afterEach(async () => {
  await harness?.close();
});

describe("private signing keys at rest", () => {
  it("are sealed with the configured secret and need it to start again", async () => {
    harness = await startAuthHarness({ settings: { keySecret: "s3cret-for-keys" } });
    const [stored] = await harness.store.listSigningKeys();
    expect(stored?.privateJwk).toMatch(/^sealed:v1:/);
    expect(stored?.privateJwk).not.toContain('"d"');

    const { store } = harness;
    await expect(startAuthHarness({ store })).rejects.toThrowError(
      /MICROTODO_AUTH_KEY_SECRET/,
    );
    await expect(
      startAuthHarness({ store, settings: { keySecret: "another secret" } }),
    ).rejects.toThrowError(/cannot decrypt/);
    await expect(
      startAuthHarness({ store, settings: { keySecret: "s3cret-for-keys" } }),
    ).resolves.toBeDefined();
  });

  it("are plain JSON without a secret, and bound to their kid when sealed", () => {
    const plain = createKeySealer(undefined);
    expect(plain.seal("k1", '{"d":"x"}')).toBe('{"d":"x"}');
    const sealer = createKeySealer("secret");
    const sealed = sealer.seal("k1", '{"d":"x"}');
    expect(sealer.open("k1", sealed)).toBe('{"d":"x"}');
    expect(() => sealer.open("k2", sealed)).toThrowError(/cannot decrypt/);
  });
});
