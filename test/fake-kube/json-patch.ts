/** A JSON value as patches see it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  readonly op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  readonly path: string;
  readonly value?: Json;
  readonly from?: string;
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** RFC 7386 merge patch: objects merge, null deletes, anything else replaces. */
export function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: { [key: string]: Json } = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** RFC 6902 JSON patch; throws on a failed `test` or a missing path. */
export function applyJsonPatch(target: Json, operations: readonly JsonPatchOperation[]) {
  let doc = structuredClone(target);
  for (const operation of operations) doc = applyOperation(doc, operation);
  return doc;
}

function applyOperation(doc: Json, operation: JsonPatchOperation): Json {
  switch (operation.op) {
    case "add":
      return setAt(doc, operation.path, operation.value ?? null, true);
    case "replace":
      getAt(doc, operation.path);
      return setAt(doc, operation.path, operation.value ?? null, false);
    case "remove":
      return removeAt(doc, operation.path);
    case "copy":
      return setAt(doc, operation.path, getAt(doc, operation.from ?? ""), true);
    case "move": {
      const value = getAt(doc, operation.from ?? "");
      return setAt(removeAt(doc, operation.from ?? ""), operation.path, value, true);
    }
    case "test":
      if (JSON.stringify(getAt(doc, operation.path)) !== JSON.stringify(operation.value))
        throw new Error(`test failed at ${operation.path}`);
      return doc;
  }
}

function tokens(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new Error(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split("/")
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function child(parent: Json, token: string, path: string): Json {
  const value = Array.isArray(parent)
    ? parent[Number(token)]
    : isObject(parent)
      ? parent[token]
      : undefined;
  if (value === undefined) throw new Error(`path ${path} does not exist`);
  return value;
}

function getAt(doc: Json, path: string): Json {
  return tokens(path).reduce<Json>((node, token) => child(node, token, path), doc);
}

function parentOf(doc: Json, path: string): { parent: Json; last: string } {
  const all = tokens(path);
  const last = all.pop();
  if (last === undefined) throw new Error("cannot address the document root");
  const parent = all.reduce<Json>((node, token) => child(node, token, path), doc);
  return { parent, last };
}

function setAt(doc: Json, path: string, value: Json, insert: boolean): Json {
  if (path === "") return structuredClone(value);
  const { parent, last } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : Number(last);
    parent.splice(index, insert ? 0 : 1, structuredClone(value));
  } else if (isObject(parent)) parent[last] = structuredClone(value);
  else throw new Error(`path ${path} has no container`);
  return doc;
}

function removeAt(doc: Json, path: string): Json {
  const { parent, last } = parentOf(doc, path);
  child(parent, last, path);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObject(parent)) delete parent[last];
  return doc;
}
