/**
 * The method registry: which plugin serves which RPC, with its scope and params schema.
 * Dispatch follows upstream's order (openclaw `server-methods.ts` `authorizeGatewayMethod`):
 * role, then scope, then params, then the method's `rpc` hook, where the registered handler and
 * any intercepting taps live. A method whose scope depends on its params (`scopeFor`) is
 * authorised after its params are validated.
 */
import type { z } from "zod";
import {
  RpcError,
  isThenable,
  TalonError,
  errorMessage,
  isTalonError,
  type ClientInfo,
  type HookFacade,
  type Logger,
  type MethodDefinition,
  type MethodScope,
  type RpcContext,
} from "@talon/sdk";
import type { HostHooks } from "../hooks.ts";
import { authorize, effectiveScope } from "./scopes.ts";
import { describeIssue, firstIssue, pointer } from "./validation-message.ts";

/** A method and the plugin that serves it. */
export interface RegisteredMethod {
  readonly definition: MethodDefinition;
  readonly plugin: string;
  /**
   * The params schema turns `{}` into `{}` (no defaults, no transforms): empty params skip zod.
   * Decided once at registration; schemas are pure.
   */
  readonly emptyParamsPass: boolean;
}

/** A plain object without own keys (what `JSON.parse("{}")` gives). */
function isEmptyObject(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  for (const _ in value) return false;
  return Object.getPrototypeOf(value) === Object.prototype;
}

function passesEmptyAsIs(schema: z.ZodType | undefined): boolean {
  if (!schema) return false;
  try {
    const result = schema.safeParse({});
    return result.success && isEmptyObject(result.data);
  } catch {
    return false; // async refinements cannot be judged synchronously
  }
}

/** Upstream's wording for a failed params check: `invalid <method> params: <issue>`. */
export function paramsError(method: string, error: z.ZodError): RpcError {
  const first = firstIssue(error.issues);
  return new RpcError("TALON_RPC_INVALID_PARAMS", `invalid ${method} params: ${first ? describeIssue(first) : "invalid"}`, {
    details: { issues: error.issues.slice(0, 20).map((issue) => ({ path: pointer(issue.path), message: issue.message })) },
  });
}

const MISSING_ADMIN = () =>
  new RpcError("TALON_RPC_FORBIDDEN", "missing scope: operator.admin", {
    details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.admin"] },
  });

/** Refuse a caller that lacks the role or scope `required` names; undefined when allowed. */
function refusal(client: ClientInfo, required: MethodScope): RpcError | undefined {
  const verdict = authorize(client.role, client.scopes, required);
  if (verdict.ok) return undefined;
  // Upstream answers role failures with INVALID_REQUEST, scope failures with FORBIDDEN.
  if (verdict.reason === "role") return new RpcError("TALON_RPC_INVALID_REQUEST", `unauthorized role: ${verdict.role}`);
  return new RpcError("TALON_RPC_FORBIDDEN", `missing scope: ${verdict.missing}`, {
    details: { code: "MISSING_SCOPE", missingScope: verdict.missing, requiredScopes: [verdict.missing] },
  });
}

/** A handler that returns nothing answers `null` (the wire has no `undefined`). */
function normalizeResult(value: unknown): unknown {
  if (value === undefined) return null;
  if (isThenable(value)) return Promise.resolve(value).then((resolved) => (resolved === undefined ? null : resolved));
  return value;
}

/** Every RPC method, its scope and params schema; dispatch goes through it. */
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
  register(
    definition: MethodDefinition,
    plugin: string,
    rpcFacade: { for(method: string): HookFacade<[unknown, RpcContext], unknown> },
  ): void {
    const name = definition.name;
    if (typeof name !== "string" || name.trim() === "" || name !== name.trim()) {
      throw new TalonError("TALON_RPC_DUPLICATE_METHOD", `method name ${JSON.stringify(name)} is invalid`, { plugin });
    }
    if (typeof definition.handler !== "function") {
      throw new TalonError("TALON_RPC_DUPLICATE_METHOD", `method ${name} has no handler function`, { plugin });
    }
    const existing = this.#methods.get(name) ?? this.#methods.get(this.#folded.get(name.toLowerCase()) ?? "");
    if (existing) {
      throw new TalonError("TALON_RPC_DUPLICATE_METHOD", `method ${name} is already registered by plugin ${existing.plugin}`, {
        plugin,
        hint: "disable one of the two plugins, or intercept the method with hooks.rpc.for(name) instead",
      });
    }
    this.#methods.set(name, { definition, plugin, emptyParamsPass: passesEmptyAsIs(definition.params) });
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
    const names: string[] = [];
    for (const method of this.#methods.values()) if (method.definition.advertise !== false) names.push(method.definition.name);
    return names;
  }

  size(): number {
    return this.#methods.size;
  }

  /**
   * Call a method. Errors are TalonErrors with `TALON_RPC_*` codes; the gateway edge maps them to
   * upstream's wire codes. Internal callers (`origin: "internal"`) skip authorisation.
   */
  async dispatch(method: string, params: unknown, context: RpcContext): Promise<unknown> {
    return this.invoke(method, params, context);
  }

  /**
   * {@link dispatch} without the forced promise: a synchronous handler's result comes back
   * synchronously (the gateway's hot path), an async one as a promise. Refusals are thrown.
   */
  invoke(method: string, params: unknown, context: RpcContext): unknown {
    const registered = this.lookup(method);
    const client = context.origin === "internal" ? undefined : context.client;
    if (!registered) {
      // Upstream: a node may only call node methods; an operator without admin learns nothing
      // about which methods exist.
      if (client && client.role === "node") throw new RpcError("TALON_RPC_INVALID_REQUEST", `unauthorized role: ${client.role}`);
      if (client && !client.scopes.includes("operator.admin")) throw MISSING_ADMIN();
      throw new RpcError("TALON_RPC_UNKNOWN_METHOD", `unknown method: ${method}`);
    }
    const { definition } = registered;
    const name = definition.name;
    if (client && !definition.scopeFor) {
      const denied = refusal(client, effectiveScope(name, definition.scope));
      if (denied) throw denied;
    }
    let parsed: unknown = params ?? {};
    if (registered.emptyParamsPass && (params === undefined || isEmptyObject(params))) {
      parsed = {};
    } else if (definition.params) {
      const result = definition.params.safeParse(parsed);
      // Re-parse with inputs only to word the failure (tells "missing" from "wrong type").
      if (!result.success) throw paramsError(name, definition.params.safeParse(parsed, { reportInput: true }).error ?? result.error);
      parsed = result.data;
    }
    if (client && definition.scopeFor) {
      const dynamic = definition.scopeFor(parsed as never);
      const denied = refusal(client, effectiveScope(name, dynamic ?? definition.scope));
      if (denied) throw denied;
    }
    const callContext = context.method === name ? context : { ...context, method: name };
    const hook = this.#hooks.rpc.get(name);
    let result: unknown;
    try {
      // Only the registered handler is tapped (no plugin intercepts this method): call it
      // directly instead of through tapable's promise chain. Same containment as the tap.
      if (!hook || (hook.taps.length === 1 && hook.interceptors.length === 0))
        result = normalizeResult(definition.handler(parsed as never, callContext));
      else result = hook.promise(parsed, callContext).then((value) => this.#answered(value, name));
    } catch (error) {
      throw this.#contain(error, registered);
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(undefined, (error) => {
        throw this.#contain(error, registered);
      });
    }
    return result;
  }

  /** Through the hook, `undefined` means no tap answered (e.g. the serving plugin was switched off). */
  #answered(value: unknown, name: string): unknown {
    if (value === undefined) throw new RpcError("TALON_RPC_UNAVAILABLE", `no handler answered ${name}`);
    return value;
  }

  #contain(error: unknown, registered: RegisteredMethod): TalonError {
    if (isTalonError(error)) return error;
    const name = registered.definition.name;
    this.#log.error({ err: error, method: name, plugin: registered.plugin }, `rpc handler failed: ${errorMessage(error)}`);
    // The cause stays in the log; the caller learns only that the method failed.
    return new RpcError("TALON_RPC_INTERNAL", `internal error in ${name}; see the Talon log`, { cause: error });
  }
}
