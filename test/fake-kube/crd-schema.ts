import { readFileSync } from "node:fs";
import { loadYaml } from "@kubernetes/client-node";

/** The structural-schema keywords the CRDs here use. */
export interface CrdSchema {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  properties?: Record<string, CrdSchema>;
  required?: string[];
  items?: CrdSchema;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
}

interface CrdDocument {
  spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: CrdSchema } }> };
}

/** Reads the openAPIV3Schema of one version of a CRD file. */
export function loadCrdSchema(file: URL, version: string): CrdSchema {
  const crd = loadYaml<CrdDocument>(readFileSync(file, "utf8"));
  const served = crd.spec.versions.find((v) => v.name === version);
  if (!served) throw new Error(`${file.pathname} has no version ${version}`);
  return restoreKeywords(served.schema.openAPIV3Schema) as CrdSchema;
}

// loadYaml reads a CRD into the client's typed model, which renames the
// schema keywords that are reserved words in TypeScript: `_default`, `_enum`.
function restoreKeywords(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(restoreKeywords);
  if (typeof value !== "object" || value === null || value instanceof Date) return value;
  const renamed: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const name = key === "_default" ? "default" : key === "_enum" ? "enum" : key;
    // Values of `default` and `enum` are data, not schemas: keep them as is.
    renamed[name] = name === key ? restoreKeywords(child) : child;
  }
  return renamed;
}

/**
 * Checks a value against a structural schema the way the API server's
 * validation does for the keywords above; returns one message per
 * violation, named by field path ("spec.weight: ...").
 */
export function validateSchema(schema: CrdSchema, value: unknown, path = ""): string[] {
  if (value === undefined || value === null) return [];
  const typeProblem = checkType(schema, value, path);
  if (typeProblem) return [typeProblem];
  const problems = checkScalar(schema, value, path);
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      problems.push(`${path}: must have at most ${schema.maxItems} items`);
    value.forEach((item, i) => {
      if (schema.items)
        problems.push(...validateSchema(schema.items, item, `${path}[${i}]`));
    });
  } else if (typeof value === "object" && schema.properties) {
    const record = value as Record<string, unknown>;
    for (const field of schema.required ?? []) {
      if (record[field] === undefined)
        problems.push(`${join(path, field)}: Required value`);
    }
    for (const [field, child] of Object.entries(schema.properties)) {
      problems.push(...validateSchema(child, record[field], join(path, field)));
    }
  }
  return problems;
}

/** Fills in `default`s of absent fields, as the API server does on writes. */
export function applyDefaults(schema: CrdSchema, value: unknown): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return;
  const record = value as Record<string, unknown>;
  for (const [field, child] of Object.entries(schema.properties ?? {})) {
    if (record[field] === undefined && child.default !== undefined)
      record[field] = structuredClone(child.default);
    applyDefaults(child, record[field]);
  }
}

function join(path: string, field: string): string {
  return path === "" ? field : `${path}.${field}`;
}

function checkType(schema: CrdSchema, value: unknown, path: string): string | undefined {
  const actual = Array.isArray(value) ? "array" : typeof value;
  const ok =
    schema.type === undefined ||
    (schema.type === "integer" ? Number.isInteger(value) : false) ||
    (schema.type === "number" && actual === "number") ||
    schema.type === actual;
  return ok ? undefined : `${path}: Invalid value: must be of type ${schema.type}`;
}

function checkScalar(schema: CrdSchema, value: unknown, path: string): string[] {
  const problems: string[] = [];
  if (schema.enum && !schema.enum.includes(value))
    problems.push(`${path}: Unsupported value: ${JSON.stringify(value)}`);
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum)
      problems.push(`${path}: should be greater than or equal to ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      problems.push(`${path}: should be less than or equal to ${schema.maximum}`);
  }
  if (typeof value === "string") {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      problems.push(`${path}: should be at least ${schema.minLength} chars long`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      problems.push(`${path}: may not be more than ${schema.maxLength} bytes`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value))
      problems.push(`${path}: should match '${schema.pattern}'`);
    if (schema.format === "date-time" && Number.isNaN(Date.parse(value)))
      problems.push(`${path}: must be a date-time`);
  }
  return problems;
}
