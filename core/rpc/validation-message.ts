/**
 * Word a zod validation failure the way upstream's AJV formatter does
 * (openclaw `packages/gateway-protocol` `formatValidationErrors`), so a real client reads the
 * same text from Talon: `must have required property 'keys'`, `at /client/id: must be equal to
 * one of the allowed values`, `at root: unexpected property 'foo'`.
 */
import type { z } from "zod";

type Issue = z.core.$ZodIssue;

/** JSON pointer of a zod path (`/a/0/b`), empty for the root. */
export function pointer(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) out += `/${String(part).replace(/~/g, "~0").replace(/\//g, "~1")}`;
  return out;
}

function isMissing(issue: Issue): boolean {
  return (
    (issue.code === "invalid_type" || issue.code === "invalid_value") &&
    "input" in issue &&
    issue.input === undefined &&
    issue.path.length > 0
  );
}

function bound(issue: Issue & { code: "too_small" | "too_big" }): string {
  const limit = issue.code === "too_small" ? issue.minimum : issue.maximum;
  if (issue.origin === "string") return `must NOT have ${issue.code === "too_small" ? "fewer" : "more"} than ${String(limit)} characters`;
  if (issue.origin === "array" || issue.origin === "set")
    return `must NOT have ${issue.code === "too_small" ? "fewer" : "more"} than ${String(limit)} items`;
  const inclusive = issue.inclusive !== false;
  const op = issue.code === "too_small" ? (inclusive ? ">=" : ">") : inclusive ? "<=" : "<";
  return `must be ${op} ${String(limit)}`;
}

/** AJV's message for one issue, with upstream's `at <path>: ` prefix rules. */
export function describeIssue(issue: Issue): string {
  const at = pointer(issue.path);
  const where = at ? `at ${at}: ` : "";
  if (isMissing(issue)) {
    const parent = pointer(issue.path.slice(0, -1));
    return `${parent ? `at ${parent}: ` : ""}must have required property '${String(issue.path[issue.path.length - 1])}'`;
  }
  switch (issue.code) {
    case "unrecognized_keys":
      return `at ${at || "root"}: unexpected property '${issue.keys[0]}'`;
    case "invalid_value":
      return `${where}${issue.values.length === 1 ? "must be equal to constant" : "must be equal to one of the allowed values"}`;
    case "invalid_type":
      return `${where}must be ${issue.expected === "int" ? "integer" : issue.expected}`;
    case "too_small":
    case "too_big":
      return `${where}${bound(issue)}`;
    case "invalid_format":
      if (issue.format === "regex" && "pattern" in issue) {
        // zod gives the RegExp's string form (`/src/flags`); AJV prints the source.
        const pattern = String(issue.pattern as unknown);
        return `${where}must match pattern "${/^\/(.*)\/[a-z]*$/s.exec(pattern)?.[1] ?? pattern}"`;
      }
      return `${where}must match format "${issue.format}"`;
    case "invalid_union":
      return `${where}must match a schema in anyOf`;
    case "not_multiple_of":
      return `${where}must be multiple of ${String(issue.divisor)}`;
    default:
      return `${where}${issue.message}`;
  }
}

/**
 * The first issue AJV would report: missing required properties come first (AJV checks
 * `required` before `properties`), otherwise zod's order.
 */
export function firstIssue(issues: readonly Issue[]): Issue | undefined {
  return issues.find(isMissing) ?? issues[0];
}

/** Validate with reported inputs (needed to tell "missing" from "wrong type") and word the first issue. */
export function validationMessage(schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return undefined;
  const issue = firstIssue(result.error.issues);
  return issue ? describeIssue(issue) : "invalid";
}
