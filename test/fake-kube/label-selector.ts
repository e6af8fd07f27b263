/** One requirement of a label selector, e.g. `tier in (web,api)`. */
interface Requirement {
  readonly key: string;
  readonly op: "=" | "!=" | "in" | "notin" | "exists" | "!exists";
  readonly values: readonly string[];
}

/** Decides whether an object's labels match a selector. */
export type LabelMatcher = (
  labels: Readonly<Record<string, string>> | undefined,
) => boolean;

/**
 * Parses the label selector syntax the API server accepts: equality
 * (`a=b`, `a==b`, `a!=b`), sets (`a in (x,y)`, `a notin (x)`) and
 * existence (`a`, `!a`), comma-separated. Throws on malformed input.
 */
export function parseLabelSelector(selector: string | null | undefined): LabelMatcher {
  const requirements = splitTerms(selector ?? "").map(parseRequirement);
  return (labels) => requirements.every((req) => matches(req, labels ?? {}));
}

// Commas separate terms, except inside the parentheses of a set.
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of selector) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "," && depth === 0) {
      terms.push(current);
      current = "";
    } else current += char;
  }
  terms.push(current);
  return terms.map((term) => term.trim()).filter(Boolean);
}

function parseRequirement(term: string): Requirement {
  const set = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set?.[1] && set[2] && set[3] !== undefined) {
    const values = set[3].split(",").map((value) => value.trim());
    return { key: set[1], op: set[2] as "in" | "notin", values };
  }
  const equality = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(term);
  if (equality?.[1] && equality[2] && equality[3] !== undefined) {
    const op = equality[2] === "!=" ? "!=" : "=";
    return { key: equality[1], op, values: [equality[3]] };
  }
  const exists = /^(!?)([\w./-]+)$/.exec(term);
  if (exists?.[2]) {
    return { key: exists[2], op: exists[1] ? "!exists" : "exists", values: [] };
  }
  throw new Error(`unable to parse requirement: "${term}"`);
}

function matches(req: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const value = labels[req.key];
  switch (req.op) {
    case "=":
      return value === req.values[0];
    case "!=":
      return value !== req.values[0];
    case "in":
      return value !== undefined && req.values.includes(value);
    case "notin":
      return value === undefined || !req.values.includes(value);
    case "exists":
      return value !== undefined;
    case "!exists":
      return value === undefined;
  }
}
