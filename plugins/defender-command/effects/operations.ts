/**
 * Operations on shared systems: destructive infrastructure and database commands (review),
 * rewriting shared version-control history (`git push --force`, `-f`, `+refspec`,
 * `--force-with-lease`, `--mirror`, in any spelling or order), container escapes (privileged
 * containers, host mounts, the Docker socket; the command a container runs is judged with
 * mounts mapped back to host paths) and network listeners.
 */
import { display, isOption, type Invocation } from "../wrappers.ts";
import type { RuleContext } from "./context.ts";

const OPERATION_NAMES: ReadonlySet<string> = new Set([
  "kubectl",
  "helm",
  "terraform",
  "tofu",
  "pulumi",
  "cdk",
  "aws",
  "gcloud",
  "az",
  "docker",
  "podman",
  "dropdb",
  "psql",
  "mysql",
  "mariadb",
  "sqlite3",
  "clickhouse-client",
  "cqlsh",
  "redis-cli",
  "mongo",
  "mongosh",
  "shutdown",
  "reboot",
  "halt",
  "poweroff",
  "init",
  "telinit",
  "systemctl",
  "crontab",
]);
const CONTAINER_NAMES: ReadonlySet<string> = new Set(["docker", "podman", "nerdctl", "kubectl", "nsenter"]);
const LISTENER_NAMES: ReadonlySet<string> = new Set(["nc", "ncat", "netcat", "socat"]);

function values(invocation: Invocation): readonly string[] {
  return invocation.values;
}

/** git's own options before the subcommand (`git -C dir -c k=v push …`). */
const GIT_VALUED = new Set(["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env", "--super-prefix"]);

function gitSubcommand(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const value = args[i]!;
    if (GIT_VALUED.has(value)) i++;
    else if (!value.startsWith("-")) return i;
  }
  return -1;
}

/** `git push` that replaces or deletes history others share. */
function historyRewrite(invocation: Invocation, ctx: RuleContext): void {
  if (invocation.name !== "git") return;
  const args = values(invocation);
  const sub = gitSubcommand(args);
  if (sub === -1 || args[sub] !== "push") return;
  const rest = args.slice(sub + 1);
  const how = rest.find(
    (value) =>
      /^--(?:force|force-with-lease|force-if-includes|mirror|prune)(?:=|$)/.test(value) ||
      /^-[a-zA-Z]*f[a-zA-Z]*$/.test(value) ||
      (/^\+[^\s]/.test(value) && !value.startsWith("+-")),
  );
  if (how && how !== "--prune")
    ctx.hit("history_rewrite", "review", `git ${rest.join(" ")} rewrites shared history (${how})`, invocation.command.text);
  else if (
    rest.some((value) => /^(?:-d|--delete)$/.test(value) || /^:[^\s]+$/.test(value)) &&
    rest.some((value) => /^:?(?:main|master|prod|production|release|trunk|live)$/.test(value))
  )
    ctx.hit("history_rewrite", "review", `git ${rest.join(" ")} deletes a shared branch`, invocation.command.text);
}

function destructiveOperation(invocation: Invocation, ctx: RuleContext): void {
  const { name } = invocation;
  if (!OPERATION_NAMES.has(name)) return;
  const args = values(invocation);
  const segment = invocation.command.text;
  const text = args.join(" ");
  const hit = (what: string) => ctx.hit("destructive_operation", "review", what, segment);
  if (name === "kubectl" && args[0] === "delete" && args.some((value) => /^(?:namespaces?|ns|--all|all|-A|--all-namespaces)$/.test(value)))
    hit(`kubectl ${text}`);
  if (name === "helm" && /^(?:uninstall|delete|del|un)$/.test(args[0] ?? "")) hit(`helm ${text}`);
  if ((name === "terraform" || name === "tofu") && (args[0] === "destroy" || (args[0] === "apply" && args.includes("-destroy"))))
    hit(`${name} destroys infrastructure`);
  if ((name === "pulumi" || name === "cdk") && args[0] === "destroy") hit(`${name} destroy`);
  if (
    name === "aws" &&
    ((/\bs3 (?:rm|rb)\b/.test(text) && /--recursive|--force/.test(text)) ||
      /\b(?:terminate-instances|delete-db-instance|delete-db-cluster|delete-stack|delete-table|delete-bucket|delete-cluster)\b/.test(text))
  )
    hit(`aws ${text}`);
  if ((name === "gcloud" || name === "az") && args.includes("delete")) hit(`${name} ${text}`);
  if (
    (name === "docker" || name === "podman") &&
    ((args[0] === "system" && args[1] === "prune" && args.some((value) => /^(?:-a|--all|--volumes)$/.test(value))) ||
      (args[0] === "volume" && /^(?:rm|prune)$/.test(args[1] ?? "")))
  )
    hit(`${name} ${text} deletes data`);
  if (name === "dropdb") hit(`dropdb ${text}`);
  if (
    /^(?:psql|mysql|mariadb|sqlite3|clickhouse-client|cqlsh)$/.test(name) &&
    /\b(?:drop\s+(?:database|table|schema|keyspace)|truncate\s+table)\b/i.test(text)
  )
    hit(`${name} drops data`);
  if (name === "redis-cli" && args.some((value) => /^flush(?:all|db)$/i.test(value))) hit("redis-cli flushes every key");
  if ((name === "mongo" || name === "mongosh") && /dropDatabase|\.drop\(\)/.test(text)) hit(`${name} drops data`);
  if (
    /^(?:shutdown|reboot|halt|poweroff)$/.test(name) ||
    ((name === "init" || name === "telinit") && /^[06]$/.test(args[0] ?? "")) ||
    (name === "systemctl" && /^(?:poweroff|reboot|halt|kexec|emergency|rescue)$/.test(args[0] ?? ""))
  ) {
    hit(`${name} ${text} stops the machine`);
  }
  if (name === "crontab" && args.includes("-r")) hit("crontab -r deletes every cron job");
}

/** `docker run -v /:/host … IMAGE CMD`: judge CMD with mount targets mapped back to host paths. */
function containers(invocation: Invocation, ctx: RuleContext): void {
  const { name, args, command } = invocation;
  if (!CONTAINER_NAMES.has(name)) return;
  const segment = command.text;
  if ((name === "docker" || name === "podman" || name === "nerdctl") && /^(?:run|create|exec)$/.test(args[0]?.value ?? "")) {
    const mounts: [string, string][] = [];
    let index = 1;
    let privileged = false;
    while (index < args.length && isOption(args[index])) {
      const option = args[index]!.value;
      const [flag, inline] = option.split(/=(.*)/s, 2) as [string, string | undefined];
      const valued =
        /^(?:-v|--volume|--mount|-e|--env|-p|--publish|--name|-w|--workdir|--entrypoint|--network|--net|-u|--user|-l|--label|--platform|--restart|-h|--hostname|--env-file|--add-host|--cpus|-m|--memory|--pid|--ipc|--device|--cap-add|--cap-drop|--security-opt|--tmpfs|--log-driver|--runtime|--gpus|--uts|--userns|--cgroupns)$/.test(
          flag,
        );
      const value = inline ?? (valued ? args[index + 1]?.value : undefined);
      if (flag === "--privileged") privileged = true;
      if ((flag === "--pid" || flag === "--uts" || flag === "--userns") && value === "host") privileged = true;
      if (flag === "--cap-add" && /^(?:ALL|SYS_ADMIN|SYS_PTRACE|SYS_MODULE)$/i.test(value ?? "")) privileged = true;
      if ((flag === "-v" || flag === "--volume") && value) {
        const [source, target] = value.split(":");
        if (source && target) mounts.push([target, source]);
      }
      if (flag === "--mount" && value) {
        const source = /(?:^|,)(?:source|src)=([^,]+)/.exec(value)?.[1];
        const target = /(?:^|,)(?:target|dst|destination)=([^,]+)/.exec(value)?.[1];
        if (source && target) mounts.push([target, source]);
      }
      index += valued && inline === undefined ? 2 : 1;
    }
    const risky = mounts.filter(([, source]) =>
      /^(?:\/|\/etc|\/root|\/home|\/boot|\/proc|\/sys|\/dev|\/var\/run\/docker\.sock|\/run\/docker\.sock)\/?$/.test(source),
    );
    if (privileged) ctx.hit("container_escape", "review", `${name} runs a privileged container`, segment);
    for (const [target, source] of risky)
      ctx.hit("container_escape", "review", `${name} mounts the host's ${source} at ${target}`, segment);
    // The image (run/create) or container (exec) name, then the command it runs.
    const inner = args.slice(index + 1).map((word) => {
      for (const [target, source] of mounts) {
        if (word.value === target || word.value.startsWith(`${target}/`))
          return { ...word, value: `${source.replace(/\/$/, "")}${word.value.slice(target.length)}` || "/" };
      }
      return word;
    });
    if (inner.length > 0) ctx.argv(inner, `${name} ${args[0]!.value}`);
  }
  if (name === "kubectl" && args[0]?.value === "exec") {
    const dash = args.findIndex((arg) => arg.value === "--");
    if (dash !== -1) ctx.argv(args.slice(dash + 1), "kubectl exec");
  }
  if (name === "kubectl" && args[0]?.value === "run" && args.some((arg) => /hostPID|hostNetwork|privileged"?\s*:\s*true/.test(arg.value)))
    ctx.hit("container_escape", "review", "kubectl run with host namespaces or privileges", segment);
  if (name === "nsenter" && args.some((arg, i) => (arg.value === "-t" || arg.value === "--target") && args[i + 1]?.value === "1"))
    ctx.hit("container_escape", "review", "nsenter enters the host's init namespaces", segment);
}

function listener(invocation: Invocation, ctx: RuleContext): void {
  const { name } = invocation;
  if (
    name === "kubectl" &&
    /^(?:proxy|port-forward)$/.test(invocation.args[0]?.value ?? "") &&
    invocation.args.some((arg) => /^--address=(?:0\.0\.0\.0|::)$|^--accept-hosts=/.test(arg.value))
  )
    ctx.hit("network_listener", "review", `kubectl ${invocation.args[0]!.value} listens on every interface`, invocation.command.text);
  // Web servers on all interfaces serve the working directory (or any folder) to the network.
  if (
    (name === "httpd" && invocation.values.includes("-p")) ||
    (name === "php" && invocation.values.some((value) => value === "-S" || value.startsWith("-S")))
  )
    ctx.hit("network_listener", "review", `${name} serves files to the network`, invocation.command.text);
  if (!LISTENER_NAMES.has(name)) return;
  const args = values(invocation);
  if ((name === "nc" || name === "ncat" || name === "netcat") && args.some((value) => /^-\w*l\w*$|^--listen$/.test(value)))
    ctx.hit("network_listener", "review", `${name} listens for network connections`, invocation.command.text);
  if (name === "socat" && args.some((value) => /^(?:tcp|tcp4|tcp6|udp)-l(?:isten)?:/i.test(value)))
    ctx.hit("network_listener", "review", "socat listens for network connections", invocation.command.text);
}

/** `nsenter -t 1 …` enters the host's init namespaces (nsenter is unwrapped as a launcher, so read its own words). */
function hostNamespaces(invocation: Invocation, ctx: RuleContext): void {
  if (!invocation.wrappers.includes("nsenter")) return;
  const words = invocation.command.words.map((word) => word.value);
  if (words.some((value, i) => (value === "-t" || value === "--target") && words[i + 1] === "1") || words.includes("--target=1"))
    ctx.hit("container_escape", "review", "nsenter enters the host's init namespaces", invocation.command.text);
}

/** Every operation rule for one invocation. */
export function operationRules(invocation: Invocation, ctx: RuleContext): void {
  hostNamespaces(invocation, ctx);
  destructiveOperation(invocation, ctx);
  historyRewrite(invocation, ctx);
  containers(invocation, ctx);
  listener(invocation, ctx);
}
