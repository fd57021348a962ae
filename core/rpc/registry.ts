/**
 * The method registry: which plugin serves which RPC, with its scope and params schema.
 * Dispatch authorises the caller, validates params (naming the failing path), then calls the
 * method's `rpc` hook, where the registered handler and any intercepting taps live.
 */
import type { z } from "zod";
import {
  RpcError,
  TalonError,
  errorMessage,
  isTalonError,
  type HookFacade,
  type Logger,
  type MethodDefinition,
  type MethodScope,
  type RpcContext,
} from "@talon/sdk";
import type { HostHooks } from "../hooks.ts";
import { authorize, effectiveScope } from "./scopes.ts";

export interface RegisteredMethod {
  readonly definition: MethodDefinition;
  readonly plugin: string;
}

/** Upstream's wording for a failed params check: `invalid <method> params: at /a/b: <message>`. */
export function paramsError(method: string, error: z.ZodError): RpcError {
  const first = error.issues[0];
  const path = first && first.path.length > 0 ? `/${first.path.map(String).join("/")}` : "root";
  let message = first?.message ?? "invalid";
  if (first?.code === "unrecognized_keys") message = `unexpected property '${first.keys[0]}'`;
  return new RpcError("TALON_RPC_INVALID_PARAMS", `invalid ${method} params: at ${path}: ${message}`, {
    details: { issues: error.issues.map((issue) => ({ path: `/${issue.path.map(String).join("/")}`, message: issue.message })) },
  });
}

export class MethodRegistry {
  readonly #methods = new Map<string, RegisteredMethod>();
  /** Lowercase name → name, for the seed's case-insensitive dispatch (`tts.setprovider`). */
  readonly #folded = new Map<string, string>();
  readonly #hooks: HostHooks;
  readonly #log: Logger;

  constructor(hooks: HostHooks, log: Logger) {
    this.#hooks = hooks;
    this.#log = log;
  }

  /** Register a method for `plugin`, tapping its rpc hook through the plugin's facade. */
  register(definition: MethodDefinition, plugin: string, rpcFacade: { for(method: string): HookFacade<[unknown, RpcContext], unknown> }): void {
    const name = definition.name;
    if (typeof name !== "string" || name.trim() === "" || name !== name.trim()) {
      throw new TalonError("TALON_RPC_DUPLICATE_METHOD", `method name ${JSON.stringify(name)} is invalid`, { plugin });
    }
    const existing = this.#methods.get(name);
    if (existing) {
      throw new TalonError("TALON_RPC_DUPLICATE_METHOD", `method ${name} is already registered by plugin ${existing.plugin}`, {
        plugin,
        hint: "disable one of the two plugins, or intercept the method with hooks.rpc.for(name) instead",
      });
    }
    this.#methods.set(name, { definition, plugin });
    this.#folded.set(name.toLowerCase(), name);
    rpcFacade.for(name).tapPromise(async (params, context) => {
      const result = await definition.handler(params, context);
      return result === undefined ? null : result;
    });
  }

  /** Remove the methods of a plugin that failed after registering (optional plugins). */
  unregisterPlugin(plugin: string): void {
    for (const [name, method] of this.#methods) {
      if (method.plugin !== plugin) continue;
      this.#methods.delete(name);
      this.#folded.delete(name.toLowerCase());
    }
  }

  lookup(method: string): RegisteredMethod | undefined {
    return this.#methods.get(method) ?? this.#methods.get(this.#folded.get(method.trim().toLowerCase()) ?? "");
  }

  /** Names for `hello-ok.features.methods`. */
  advertised(): string[] {
    return [...this.#methods.values()].filter((method) => method.definition.advertise !== false).map((method) => method.definition.name);
  }

  size(): number {
    return this.#methods.size;
  }

  /**
   * Call a method. Errors are TalonErrors with `TALON_RPC_*` codes; the gateway edge maps them to
   * upstream's wire codes. Internal callers (`origin: "internal"`) skip authorisation.
   */
  async dispatch(method: string, params: unknown, context: RpcContext): Promise<unknown> {
    const registered = this.lookup(method);
    const client = context.client;
    if (!registered) {
      // Upstream answers unknown methods with a scope error unless the caller is admin.
      if (client && context.origin !== "internal" && !client.scopes.includes("operator.admin")) {
        throw new RpcError("TALON_RPC_FORBIDDEN", "missing scope: operator.admin", {
          details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.admin"] },
        });
      }
      throw new RpcError("TALON_RPC_UNKNOWN_METHOD", `unknown method: ${method}`);
    }
    const { definition } = registered;
    const name = definition.name;
    let parsed: unknown = params ?? {};
    if (definition.params) {
      const result = definition.params.safeParse(parsed);
      if (!result.success) throw paramsError(name, result.error);
      parsed = result.data;
    }
    if (client && context.origin !== "internal") {
      const dynamic = definition.scopeFor?.(parsed as never);
      const required: MethodScope = effectiveScope(name, dynamic ?? definition.scope);
      const verdict = authorize(client.role, client.scopes, required);
      if (!verdict.ok) {
        if (verdict.reason === "role") throw new RpcError("TALON_RPC_FORBIDDEN", `unauthorized role: ${verdict.role}`);
        throw new RpcError("TALON_RPC_FORBIDDEN", `missing scope: ${verdict.missing}`, {
          details: { code: "MISSING_SCOPE", missingScope: verdict.missing, requiredScopes: [verdict.missing] },
        });
      }
    }
    const hook = this.#hooks.rpc.get(name);
    try {
      const result = await hook?.promise(parsed, { ...context, method: name });
      if (result === undefined) throw new RpcError("TALON_RPC_UNAVAILABLE", `no handler answered ${name}`);
      return result;
    } catch (error) {
      if (isTalonError(error)) throw error;
      this.#log.error({ err: error, method: name, plugin: registered.plugin }, "rpc handler failed");
      throw new RpcError("TALON_RPC_INTERNAL", `internal error in ${name}: ${errorMessage(error)}`, { cause: error });
    }
  }
}
