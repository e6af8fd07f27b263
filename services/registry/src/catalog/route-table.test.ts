import { describe, expect, it } from "vitest";
import type { RouteMatch } from "../proxy/upstream-selector.js";
import { RouteTable } from "./route-table.js";

const todo: RouteMatch = { serviceType: "todo", visibility: "public" };
const logger: RouteMatch = { serviceType: "logger", visibility: "internal" };
const admin: RouteMatch = { serviceType: "admin", visibility: "admin" };

function table(routes: Record<string, string> = {}): RouteTable {
  const routeTable = new RouteTable();
  const types = new Map([
    ["todo", todo],
    ["logger", logger],
    ["admin", admin],
  ]);
  routeTable.update(types, new Map(Object.entries(routes)));
  return routeTable;
}

describe("RouteTable", () => {
  it("maps an RPC path to the type named by its package", () => {
    expect(table().route("/microtodo.todo.v1.TodoService/CreateTask")).toBe(todo);
    expect(table().route("/microtodo.logger.v1beta1.LoggerService/Push")).toBe(logger);
  });

  it("maps any package through the registered types, rightmost segment first", () => {
    expect(table().route("/acme.admin.Console/Open")).toBe(admin);
    expect(table().route("/todo.logger.v2.X/Y")).toBe(logger);
  });

  it("returns nothing for a package that names no known type", () => {
    expect(table().route("/microtodo.billing.v1.BillingService/Pay")).toBeUndefined();
    expect(table().route("/favicon.ico")).toBeUndefined();
    expect(table().route("/")).toBeUndefined();
  });

  it("does not take the service name itself for a type", () => {
    expect(table().route("/acme.todo/Get")).toBeUndefined();
  });

  it("lets the longest registered HTTP prefix win", () => {
    const routes = table({ "/api": "logger", "/api/todos": "todo" });
    expect(routes.route("/api/todos/7")).toBe(todo);
    expect(routes.route("/api/logs")).toBe(logger);
  });

  it("matches HTTP prefixes on whole path segments and ignores the query", () => {
    const routes = table({ "/api/todos": "todo" });
    expect(routes.route("/api/todos")).toBe(todo);
    expect(routes.route("/api/todos?done=true")).toBe(todo);
    expect(routes.route("/api/todosx")).toBeUndefined();
  });

  it("forgets cached lookups when the types change", () => {
    const routes = new RouteTable();
    expect(routes.route("/microtodo.todo.v1.TodoService/X")).toBeUndefined();
    routes.update(new Map([["todo", todo]]), new Map());
    expect(routes.route("/microtodo.todo.v1.TodoService/X")).toBe(todo);
  });
});
