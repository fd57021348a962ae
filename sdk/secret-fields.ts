/**
 * Secrets marked in config schemas. A plugin wraps a field in {@link secret} (`apiKey:
 * secret(z.string().optional())`); the host then keeps every marked value out of logs, `status`,
 * quarantine files and config dumps, whichever plugin declared it. Nobody has to list another
 * plugin's secrets.
 */
import { z } from "zod";
import { isObject } from "./json.ts";

/** What a redacted secret becomes. */
export const REDACTED = "[REDACTED]";

/** Mark a config field as a secret (zod metadata `{ secret: true }`, kept by `.describe()` and docs). */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ ...schema.meta(), secret: true }) as T;
}

/** Is this schema node marked with {@link secret}? */
export function isSecretSchema(schema: z.ZodType): boolean {
  return z.globalRegistry.get(schema)?.secret === true;
}

type Visit = (value: unknown) => unknown;

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  out?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
  getter?: () => z.ZodType;
}

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "catch", "readonly", "nonoptional", "success"]);

/**
 * Walk a parsed `value` along its `schema` and replace every value under a secret-marked node
 * by `visit(value)`. Returns a copy; unmarked parts are shared. Bounded by depth.
 */
function mapSecrets(schema: z.ZodType, value: unknown, visit: Visit, depth = 0): unknown {
  if (value === undefined || value === null || depth > 32) return value;
  if (isSecretSchema(schema)) return visit(value);
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  if (WRAPPERS.has(def.type) && def.innerType) return mapSecrets(def.innerType, value, visit, depth + 1);
  switch (def.type) {
    case "pipe":
      return def.out ? mapSecrets(def.out, value, visit, depth + 1) : value;
    case "lazy":
      return def.getter ? mapSecrets(def.getter(), value, visit, depth + 1) : value;
    case "object": {
      if (!isObject(value) || !def.shape) return value;
      let out: Record<string, unknown> | undefined;
      for (const [key, child] of Object.entries(def.shape)) {
        if (!(key in value)) continue;
        const mapped = mapSecrets(child, value[key], visit, depth + 1);
        if (mapped !== value[key]) (out ??= { ...value })[key] = mapped;
      }
      return out ?? value;
    }
    case "record": {
      if (!isObject(value) || !def.valueType) return value;
      let out: Record<string, unknown> | undefined;
      for (const [key, item] of Object.entries(value)) {
        const mapped = mapSecrets(def.valueType, item, visit, depth + 1);
        if (mapped !== item) (out ??= { ...value })[key] = mapped;
      }
      return out ?? value;
    }
    case "array": {
      if (!Array.isArray(value) || !def.element) return value;
      const mapped = value.map((item) => mapSecrets(def.element!, item, visit, depth + 1));
      return mapped.some((item, index) => item !== value[index]) ? mapped : value;
    }
    case "union": {
      // Every option that could describe the value: a secret in any of them is a secret.
      let current: unknown = value;
      for (const option of def.options ?? []) current = mapSecrets(option, current, visit, depth + 1);
      return current;
    }
    case "intersection": {
      const left = def.left ? mapSecrets(def.left, value, visit, depth + 1) : value;
      return def.right ? mapSecrets(def.right, left, visit, depth + 1) : left;
    }
    default:
      return value;
  }
}

/** A copy of `value` (parsed with `schema`) with every secret-marked field replaced by {@link REDACTED}. */
export function redactSecretFields<T>(schema: z.ZodType, value: T): T {
  return mapSecrets(schema, value, (secretValue) => (secretValue === "" ? secretValue : REDACTED)) as T;
}

/** Every non-blank string under a secret-marked field of `value` (parsed with `schema`). */
export function secretFieldValues(schema: z.ZodType, value: unknown): string[] {
  const found: string[] = [];
  const collect = (item: unknown): unknown => {
    if (typeof item === "string") {
      if (item.trim() !== "") found.push(item);
    } else if (Array.isArray(item)) item.forEach(collect);
    else if (isObject(item)) Object.values(item).forEach(collect);
    return item;
  };
  mapSecrets(schema, value, collect);
  return found;
}
