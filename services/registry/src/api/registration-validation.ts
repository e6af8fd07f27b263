import { isIP } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  Visibility as ProtoVisibility,
  type RegisterRequest,
} from "@microtodo/api/registry";
import type { RegistrationSpec } from "../discovery/self-registration.js";
import type { Visibility } from "../proxy/upstream-selector.js";

/** Weight of an instance that registers without one. */
export const defaultWeight = 100;
export const maxWeight = 1000;
export const maxHttpRoutes = 16;
export const maxMetadataEntries = 32;
const maxRouteLength = 256;
const maxMetadataKeyLength = 63;
const maxMetadataValueLength = 256;
const maxIdLength = 512;

const serviceTypePattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const hostnameLabel = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const metadataKeyPattern = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
// Paths the registry serves itself on both listeners; no route may shadow them.
const reservedPrefixes = [
  "/healthz",
  "/readyz",
  "/metrics",
  "/microtodo.registry.v1.",
  "/grpc.health.v1.",
];

/** Checks a Register request and returns what the catalog needs. */
export function validateRegisterRequest(request: RegisterRequest): RegistrationSpec {
  const serviceType = validateServiceType(request.serviceType, "service_type");
  const { host, port } = parseAddress(request.address);
  return {
    serviceType,
    host,
    port,
    visibility: visibilityFromProto(request.visibility),
    weight: validateWeight(request.weight ?? defaultWeight),
    httpRoutes: validateHttpRoutes(request.httpRoutes),
    metadata: validateMetadata(request.metadata),
  };
}

/** A service type name: 1 to 63 lower-case letters, digits and dashes. */
export function validateServiceType(value: string, field: string): string {
  if (!serviceTypePattern.test(value)) {
    throw invalid(
      `${field}: ${quote(value)} must be 1 to 63 lower-case letters, digits and dashes, starting and ending with a letter or digit`,
    );
  }
  return value;
}

export function validateWeight(weight: number): number {
  if (!Number.isInteger(weight) || weight < 0 || weight > maxWeight) {
    throw invalid(`weight: ${weight} is outside 0..${maxWeight}`);
  }
  return weight;
}

/** An instance id or lease id: present and of sane length. */
export function validateId(value: string, field: string): string {
  if (value.length === 0) throw invalid(`${field}: required`);
  if (value.length > maxIdLength)
    throw invalid(`${field}: longer than ${maxIdLength} characters`);
  return value;
}

export function visibilityFromProto(visibility: ProtoVisibility): Visibility {
  switch (visibility) {
    case ProtoVisibility.PUBLIC:
      return "public";
    case ProtoVisibility.INTERNAL:
      return "internal";
    case ProtoVisibility.ADMIN:
      return "admin";
    default:
      throw invalid(
        `visibility: ${visibility} is not one of VISIBILITY_PUBLIC, VISIBILITY_INTERNAL, VISIBILITY_ADMIN`,
      );
  }
}

/** Splits "host:port" ("[v6]:port" for IPv6) and checks both parts. */
export function parseAddress(address: string): { host: string; port: number } {
  const bracketed = address.startsWith("[");
  const colon = bracketed ? address.indexOf("]:") + 1 : address.lastIndexOf(":");
  if (colon <= 0) throw invalid(`address: ${quote(address)} is not host:port`);
  const host = bracketed ? address.slice(1, colon - 1) : address.slice(0, colon);
  const portText = address.slice(colon + 1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw invalid(`address: port ${quote(portText)} is outside 1..65535`);
  }
  const problem = hostProblem(host, bracketed);
  if (problem) throw invalid(`address: host ${quote(host)} ${problem}`);
  return { host, port };
}

function hostProblem(host: string, bracketed: boolean): string | undefined {
  const family = isIP(host);
  if (bracketed && family !== 6) return "is not an IPv6 address";
  if (!bracketed && family === 6) return "is IPv6 and must be written in brackets";
  if (host === "0.0.0.0" || host === "::")
    return "is a wildcard, not an address to reach";
  if (family !== 0) return undefined;
  if (host.length > 253) return "is longer than 253 characters";
  if (!host.split(".").every((label) => hostnameLabel.test(label))) {
    return "is neither an IP address nor a valid host name";
  }
  return undefined;
}

/** HTTP path prefixes: each below "/", short, clear of the registry's own paths. */
export function validateHttpRoutes(routes: readonly string[]): string[] {
  if (routes.length > maxHttpRoutes) {
    throw invalid(`http_routes: ${routes.length} routes; at most ${maxHttpRoutes}`);
  }
  routes.forEach((route, i) => {
    const field = `http_routes[${i}]`;
    if (!route.startsWith("/") || route.length < 2) {
      throw invalid(
        `${field}: ${quote(route)} must start with "/" and name a path below it`,
      );
    }
    if (route.length > maxRouteLength || /[\s?#]/.test(route)) {
      throw invalid(
        `${field}: ${quote(route)} must be at most ${maxRouteLength} characters without spaces, "?" or "#"`,
      );
    }
    if (reservedPrefixes.some((reserved) => overlaps(route, reserved))) {
      throw invalid(
        `${field}: ${quote(route)} overlaps a path the registry serves itself`,
      );
    }
  });
  return [...new Set(routes)];
}

/** Whether a route would claim a reserved path, or lies under one. */
function overlaps(route: string, reserved: string): boolean {
  const asDirectory = route.endsWith("/") ? route : `${route}/`;
  return route.startsWith(reserved) || reserved.startsWith(asDirectory);
}

function validateMetadata(
  metadata: Readonly<Record<string, string>>,
): Record<string, string> {
  const entries = Object.entries(metadata);
  if (entries.length > maxMetadataEntries) {
    throw invalid(`metadata: ${entries.length} entries; at most ${maxMetadataEntries}`);
  }
  for (const [key, value] of entries) {
    if (key.length > maxMetadataKeyLength || !metadataKeyPattern.test(key)) {
      throw invalid(
        `metadata: key ${quote(key)} must be 1 to ${maxMetadataKeyLength} letters, digits, ".", "_", "/" or "-"`,
      );
    }
    if (value.length > maxMetadataValueLength) {
      throw invalid(
        `metadata[${key}]: value longer than ${maxMetadataValueLength} characters`,
      );
    }
  }
  return Object.fromEntries(entries);
}

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}
