/** Types of the talon-guard OpenClaw plugin (the module itself is plain JavaScript). */

export interface GuardConfig {
  url: string;
  token: string;
  timeoutMs: number;
  connectTimeoutMs: number;
  failureMode: "block" | "review";
  hookTimeoutMs: number;
  approvalTimeoutMs: number;
  allowAlways: boolean;
  screenPrompts: boolean;
  promptReview: "block" | "pass";
  screenToolResults: boolean;
  heartbeatIntervalMs: number;
  maxPending: number;
  maxRequestBytes: number;
  backoffMaxMs: number;
}

export interface GuardLog {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface Decision {
  action: "allow" | "review" | "block";
  risk: number;
  reasons: string[];
  cached: boolean;
}

/** What `before_tool_call` returns. */
export type ToolCallResult =
  | undefined
  | { block: true; blockReason: string }
  | {
      requireApproval: {
        title: string;
        description: string;
        severity: "info" | "warning" | "critical";
        timeoutMs: number;
        allowedDecisions: string[];
      };
    };

export declare const GUARD_ID: string;
export declare const GUARD_VERSION: string;

export declare function parseConfig(raw: unknown, io?: { readFile?: (path: string) => string }): GuardConfig;
export declare function boundParams(
  value: unknown,
  limits?: { maxBytes: number; maxDepth: number; maxString: number; maxEntries: number },
): { value: unknown; truncated: boolean };

export declare class GuardError extends Error {
  readonly code: string;
  readonly retryable: boolean;
}

export declare class TalonClient {
  readonly connected: boolean;
  readonly pending: number;
  readonly lastError: string | undefined;
  talon: { version: string; connectedSinceMs: number };
  stats: { connects: number; reconnects: number; unmatched: number; malformed: number; refusedBusy: number };
  request(method: string, params: unknown, deadline: number, signal?: AbortSignal): Promise<unknown>;
  close(): void;
}

export interface GuardOptions {
  log: GuardLog;
  openclawVersion?: string;
  workspaceFor?: (agentId: string | undefined) => string | undefined;
}

export declare class Guard {
  constructor(config: GuardConfig, options: GuardOptions);
  readonly config: GuardConfig;
  readonly client: TalonClient;
  readonly instanceId: string;
  stats: Record<string, number>;
  start(): void;
  suspend(): void;
  stop(): void;
  evaluate(params: Record<string, unknown>, signal?: AbortSignal): Promise<Decision>;
  beforeToolCall(event: Record<string, any>, ctx: Record<string, any>): Promise<ToolCallResult>;
  messageReceived(event: Record<string, any>, ctx: Record<string, any>): void;
  beforeAgentRun(
    event: Record<string, any>,
    ctx: Record<string, any>,
  ): Promise<undefined | { outcome: "block"; reason: string; message: string }>;
  afterToolCall(event: Record<string, any>, ctx: Record<string, any>): void;
  toolResultPersist(event: Record<string, any>, ctx: Record<string, any>): undefined | { message: Record<string, unknown> };
  status(): Record<string, unknown>;
}

export declare function guardFor(config: GuardConfig, options: GuardOptions): Guard;
export declare function stopGuard(): void;

declare const plugin: { id: string; name: string; description: string; register(api: unknown): void };
export default plugin;
