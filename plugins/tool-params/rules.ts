/**
 * Params a model supplies that would lower a tool's security settings: asking for elevation,
 * turning the sandbox or approvals off, picking the gateway host over the sandbox, a permissive
 * security mode, skipping TLS checks, or environment overrides that change how programs load.
 * OpenClaw has honoured such params (upstream issue 84517); its `exec` tool takes `elevated`,
 * `host`, `ask` and `env` from the model. A key is matched after lower-casing and dropping `_`/`-`,
 * wherever it sits in the params (nested objects and a `tool_call`'s `args` included). Pure.
 */

/** One security-lowering param. */
export interface ParamHit {
  /** JSON pointer inside the params. */
  path: string;
  reason: string;
}

/** Keys that lower security when true-ish. */
const LOWER_IF_TRUE = new Set([
  "elevated",
  "elevate",
  "sudo",
  "privileged",
  "asroot",
  "runasroot",
  "autoapprove",
  "autoapproved",
  "approved",
  "preapproved",
  "skipapproval",
  "skipapprovals",
  "bypassapproval",
  "bypassapprovals",
  "noapproval",
  "skippermissions",
  "bypasspermissions",
  "dangerouslyskippermissions",
  "dangerouslybypassapprovalsandsandbox",
  "dangerouslydisablesandbox",
  "nosandbox",
  "disablesandbox",
  "unsandboxed",
  "allowall",
  "allowunsafe",
  "unsafe",
  "unrestricted",
  "yolo",
  "trusted",
  "insecure",
  "disableguard",
  "skipguard",
  "bypassguard",
  "noguard",
]);
/** Keys that lower security when false-ish. */
const LOWER_IF_FALSE = new Set([
  "sandbox",
  "sandboxed",
  "usesandbox",
  "requireapproval",
  "requireapprovals",
  "approval",
  "approvals",
  "askuser",
  "confirm",
  "safemode",
  "guard",
  "guarded",
  "restricted",
  "rejectunauthorized",
  "verifyssl",
  "sslverify",
  "verifytls",
  "tlsverify",
  "checkcertificate",
  "verifycertificate",
]);
/** Keys whose value names a mode; these values lower security. */
const LOWER_VALUES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["ask", new Set(["off", "never", "no", "none", "false", "0", "disabled"])],
  [
    "security",
    new Set(["full", "off", "none", "allow", "allowall", "disabled", "permissive", "unrestricted", "yolo", "bypass", "dangerfullaccess"]),
  ],
  ["permissionmode", new Set(["bypasspermissions", "dontask", "acceptedits", "yolo", "full", "auto", "never"])],
  ["approvalpolicy", new Set(["never", "off", "none", "auto", "yolo", "bypass", "disabled"])],
  ["approvalmode", new Set(["never", "off", "none", "auto", "yolo", "bypass", "disabled", "fullauto"])],
  ["sandboxmode", new Set(["off", "none", "dangerfullaccess", "disabled", "host"])],
  ["sandboxpolicy", new Set(["off", "none", "dangerfullaccess", "disabled"])],
  ["execsecurity", new Set(["full", "off", "none", "allow"])],
  ["execask", new Set(["off", "never", "no", "none"])],
]);
/** Exec hosts outside the sandbox (only for tools that run commands). */
const UNSANDBOXED_HOSTS = new Set(["gateway", "node"]);
const COMMAND_TOOLS = new Set(["exec", "bash", "process", "code_execution"]);
/** Environment variables that change what a program loads or runs, or what Talon/OpenClaw do. */
const RISKY_ENV =
  /^(?:LD_[A-Z_]+|DYLD_[A-Z_]+|NODE_OPTIONS|NODE_PATH|BASH_ENV|ENV|PROMPT_COMMAND|PYTHONSTARTUP|PYTHONPATH|PERL5OPT|PERL5LIB|RUBYOPT|GIT_SSH(?:_COMMAND)?|GIT_EXEC_PATH|PATH|SHELLOPTS|IFS|OPENCLAW_[A-Z0-9_]+|TALON_[A-Z0-9_]+)$/;

const MAX_DEPTH = 6;
const MAX_NODES = 2000;
const MAX_HITS = 32;

const normalizeKey = (key: string) => key.toLowerCase().replace(/[_-]/g, "");

function truthy(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value !== "string") return undefined;
  const text = value.trim().toLowerCase();
  if (["true", "yes", "on", "1", "y", "always", "full", "enabled"].includes(text)) return true;
  if (["false", "no", "off", "0", "n", "never", "none", "disabled"].includes(text)) return false;
  return undefined;
}

const pointer = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");

interface Walk {
  hits: ParamHit[];
  nodes: number;
}

function visit(walk: Walk, node: unknown, path: string, depth: number, commandTool: boolean): void {
  if (depth > MAX_DEPTH || ++walk.nodes > MAX_NODES || walk.hits.length >= MAX_HITS) return;
  if (Array.isArray(node)) {
    node.forEach((item, i) => typeof item === "object" && item !== null && visit(walk, item, `${path}/${i}`, depth + 1, commandTool));
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const record = node as Record<string, unknown>;
  // A dispatch (`tool_call`): the dispatched tool's kind decides the host rule for its args.
  const inner = typeof record.id === "string" && typeof record.args === "object" ? record.id.trim().toLowerCase() : undefined;
  for (const key of Object.keys(record)) {
    const value = record[key];
    const at = `${path}/${pointer(key)}`;
    const name = normalizeKey(key);
    const flag = truthy(value);
    if (LOWER_IF_TRUE.has(name) && flag === true)
      walk.hits.push({ path: at, reason: `param \`${key}\` asks to lower security (${String(value)})` });
    else if (LOWER_IF_FALSE.has(name) && flag === false)
      walk.hits.push({ path: at, reason: `param \`${key}\` turns a safeguard off (${String(value)})` });
    else if (typeof value === "string" && LOWER_VALUES.get(name)?.has(normalizeKey(value.trim())))
      walk.hits.push({ path: at, reason: `param \`${key}\` picks a permissive mode (${value})` });
    else if (name === "host" && commandTool && typeof value === "string" && UNSANDBOXED_HOSTS.has(value.trim().toLowerCase()))
      walk.hits.push({
        path: at,
        reason: `param \`host\` runs the command on the ${value.trim().toLowerCase()} host instead of the sandbox`,
      });
    else if (name === "env" && commandTool && typeof value === "object" && value !== null && !Array.isArray(value)) {
      for (const variable of Object.keys(value)) {
        if (RISKY_ENV.test(variable.toUpperCase()))
          walk.hits.push({
            path: `${at}/${pointer(variable)}`,
            reason: `param \`env.${variable}\` changes how programs load or what the guard does`,
          });
      }
    }
    if (typeof value === "object" && value !== null) {
      const nested = key === "args" && inner !== undefined ? COMMAND_TOOLS.has(inner) || inner === "bash" : commandTool;
      visit(walk, value, at, depth + 1, nested);
    }
    if (walk.hits.length >= MAX_HITS) return;
  }
}

/** The security-lowering params of a call of `tool` (normalised name). */
export function findLoweringParams(tool: string | undefined, params: unknown): ParamHit[] {
  const walk: Walk = { hits: [], nodes: 0 };
  visit(walk, params, "/params", 0, tool !== undefined && COMMAND_TOOLS.has(tool));
  return walk.hits;
}
