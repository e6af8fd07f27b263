import { spawnSync } from "node:child_process";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { h1Request } from "../testing/http-clients.js";
import { startTestServer, type TestServer } from "../testing/start-test-server.js";
import { TestService } from "../testing/test-service.js";

let running: TestServer;

beforeAll(async () => {
  running = await startTestServer();
  const client = createClient(
    TestService,
    createConnectTransport({ baseUrl: running.address.url, httpVersion: "1.1" }),
  );
  await client.echo({ value: "a" });
  await client.fail({ value: "missing" }).catch(() => {});
});

afterAll(() => running.server.close({ timeoutMs: 1000 }));

describe("/metrics", () => {
  it("passes promtool check metrics", async () => {
    const response = await h1Request(running.address.url, "/metrics");
    expect(response.status).toBe(200);
    const result = spawnSync("/usr/bin/promtool", ["check", "metrics"], {
      input: response.body,
      encoding: "utf8",
    });
    expect(`${result.stdout}${result.stderr}`).toBe("");
    expect(result.status).toBe(0);
  });

  it("counts RPCs by service, method and code, and times them", async () => {
    const { body, headers } = await h1Request(running.address.url, "/metrics");
    expect(headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain(
      'rpc_server_requests_total{service="microtodo.kit.test.v1.TestService",method="Echo",code="ok"} 1',
    );
    expect(body).toContain(
      'rpc_server_requests_total{service="microtodo.kit.test.v1.TestService",method="Fail",code="not_found"} 1',
    );
    expect(body).toMatch(
      /rpc_server_duration_seconds_count\{service="microtodo.kit.test.v1.TestService",method="Echo",code="ok"\} 1/,
    );
    expect(body).toMatch(
      /http_server_duration_seconds_count\{method="GET",route="\/metrics",status="200"\}/,
    );
    expect(body).toContain(
      'microtodo_service_info{microtodo_service="kit-test",microtodo_instance="kit-test-1"} 1',
    );
    expect(body).toContain("process_cpu_seconds_total");
  });
});
