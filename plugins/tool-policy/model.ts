/**
 * Which model an action runs under, for `byProvider` rules: `Action.model` when the extractor
 * filled it, else the seed's recursive key search over the raw payload (seed-defender §3.6),
 * bounded in depth and nodes.
 */
import type { Action } from "@talon/sdk";

const PROVIDER_KEYS = ["modelProvider", "model_provider", "providerId", "provider"] as const;
const MODEL_KEYS = ["model", "modelId", "model_id", "modelName"] as const;
const MAX_DEPTH = 8;
const MAX_NODES = 2000;

/** Seed §2.3: listed keys in priority order at each level, then children in key order, depth first. */
function findFirstString(root: unknown, keys: readonly string[]): string | undefined {
  let nodes = 0;
  const visit = (value: unknown, depth: number): string | undefined => {
    if (++nodes > MAX_NODES || depth > MAX_DEPTH || value === null || typeof value !== "object") return undefined;
    if (Array.isArray(value)) {
      for (const item of value) {
        const found = visit(item, depth + 1);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    const record = value as Record<string, unknown>;
    for (const key of keys) {
      const candidate = record[key];
      if (typeof candidate === "string") return candidate;
      if (typeof candidate === "number" || typeof candidate === "boolean") return String(candidate);
    }
    for (const key of Object.keys(record).sort()) {
      const found = visit(record[key], depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(root, 0);
}

/** Provider and model id of the action. */
export function modelOf(action: Action): { provider?: string; model?: string } {
  const provider = action.model?.provider ?? findFirstString(action.raw, PROVIDER_KEYS);
  const model = action.model?.id ?? findFirstString(action.raw, MODEL_KEYS);
  return { provider, model };
}
