import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { RegisterRequestSchema, Visibility } from "@microtodo/api/registry";
import { describe, expect, it } from "vitest";
import { validateRegisterRequest } from "./registration-validation.js";

type Init = Parameters<typeof create<typeof RegisterRequestSchema>>[1];

function request(init: Init = {}) {
  return create(RegisterRequestSchema, {
    serviceType: "todo",
    address: "127.0.0.1:4001",
    visibility: Visibility.PUBLIC,
    ...init,
  });
}

function rejection(init: Init): string {
  try {
    validateRegisterRequest(request(init));
  } catch (err) {
    const error = ConnectError.from(err);
    expect(error.code).toBe(Code.InvalidArgument);
    return error.rawMessage;
  }
  throw new Error("request was accepted");
}

describe("validateRegisterRequest", () => {
  it("accepts a well-formed request and fills the default weight", () => {
    const spec = validateRegisterRequest(
      request({ httpRoutes: ["/api/todos"], metadata: { version: "1.2.3" } }),
    );
    expect(spec).toEqual({
      serviceType: "todo",
      host: "127.0.0.1",
      port: 4001,
      visibility: "public",
      weight: 100,
      httpRoutes: ["/api/todos"],
      metadata: { version: "1.2.3" },
    });
  });

  it("accepts host names and bracketed IPv6 addresses", () => {
    expect(validateRegisterRequest(request({ address: "todo-0.todo.svc:80" })).host).toBe(
      "todo-0.todo.svc",
    );
    expect(validateRegisterRequest(request({ address: "[::1]:4001" })).host).toBe("::1");
  });

  it.each([
    [{ serviceType: "" }, /^service_type: "" must be 1 to 63/],
    [{ serviceType: "Todo" }, /^service_type: "Todo"/],
    [{ serviceType: "-todo" }, /^service_type: "-todo"/],
    [{ serviceType: "a".repeat(64) }, /^service_type: /],
    [{ address: "" }, /^address: "" is not host:port/],
    [{ address: "127.0.0.1" }, /^address: "127.0.0.1" is not host:port/],
    [{ address: "127.0.0.1:0" }, /^address: port "0" is outside 1..65535/],
    [{ address: "127.0.0.1:65536" }, /^address: port "65536" is outside 1..65535/],
    [{ address: "127.0.0.1:http" }, /^address: port "http"/],
    [{ address: "bad_host:80" }, /^address: host "bad_host" is neither/],
    [{ address: "0.0.0.0:80" }, /^address: host "0.0.0.0" is a wildcard/],
    [
      { address: "::1:80" },
      /^address: host "::1" is IPv6 and must be written in brackets/,
    ],
    [{ weight: 1001 }, /^weight: 1001 is outside 0..1000/],
    [{ visibility: Visibility.UNSPECIFIED }, /^visibility: 0 is not one of/],
    [{ visibility: 9 as Visibility }, /^visibility: 9 is not one of/],
    [{ httpRoutes: ["api"] }, /^http_routes\[0\]: "api" must start with "\/"/],
    [
      { httpRoutes: ["/ok", "/"] },
      /^http_routes\[1\]: "\/" must start with "\/" and name a path/,
    ],
    [{ httpRoutes: ["/metrics"] }, /^http_routes\[0\]: "\/metrics" overlaps/],
    [{ httpRoutes: ["/a b"] }, /^http_routes\[0\]: "\/a b" must be at most/],
    [
      { httpRoutes: Array.from({ length: 17 }, (_, i) => `/r${i}`) },
      /^http_routes: 17 routes; at most 16/,
    ],
    [{ metadata: { "bad key": "x" } }, /^metadata: key "bad key"/],
    [{ metadata: { k: "x".repeat(257) } }, /^metadata\[k\]: value longer than 256/],
    [
      {
        metadata: Object.fromEntries(
          Array.from({ length: 33 }, (_, i) => [`k${i}`, "v"]),
        ),
      },
      /^metadata: 33 entries; at most 32/,
    ],
  ] as const)("rejects %j naming the field", (init, message) => {
    expect(rejection(init as Init)).toMatch(message);
  });

  it("accepts weight 0 and 1000", () => {
    expect(validateRegisterRequest(request({ weight: 0 })).weight).toBe(0);
    expect(validateRegisterRequest(request({ weight: 1000 })).weight).toBe(1000);
  });
});
