/**
 * Code that arrives from elsewhere and runs (network → interpreter = remote code): network
 * content piped, process-substituted or command-substituted into a shell or interpreter
 * (`curl … | bash` whatever follows the pipe, seed §15 item 3), downloads executed later in the
 * same script, decoded payloads (`base64 -d | sh`, `xxd -r`, `printf '\x…'`, a decoded value kept
 * in a variable and run later), and shells wired to the network (reverse and bind shells).
 */
import type { Script, SimpleCommand, Word } from "../ir.ts";
import { hostOf, normalizePath } from "../paths.ts";
import { inlineCode, isInterpreter, isShell, readsProgramFromStdin, shellScriptArg } from "../shells.ts";
import { isDecoder, literalOutput } from "../static.ts";
import { display, isOption, positionals, type Invocation } from "../wrappers.ts";
import type { RuleContext } from "./context.ts";
import { judgeCode } from "./exec.ts";

/** Tools that fetch from the network. */
const FETCHERS: ReadonlySet<string> = new Set([
  "curl",
  "wget",
  "fetch",
  "aria2c",
  "http",
  "https",
  "xh",
  "lwp-download",
  "axel",
  "get",
  "lwp-request",
]);
const SHELL_LIKE = (name: string) => isShell(name);
const RUNS_PROGRAMS = (name: string) => isShell(name) || isInterpreter(name) || name === "eval" || name === "source" || name === ".";

/** Look up the invocation of a simple command (computed once per script by the analyser). */
export type InvocationOf = (command: SimpleCommand) => Invocation | undefined;

const NETWORK_READERS = new Set(["nc", "ncat", "netcat", "telnet", "socat", "socket"]);
/** Earlier stages considered as feeders of a pipeline stage. */
const LOOKBACK_STAGES = 16;

/** The URL (or host) a fetch reads from. */
function fetchSource(invocation: Invocation): { url: string; host: string } | undefined {
  for (const arg of positionals(invocation.args)) {
    const host = hostOf(arg.value);
    if (host) return { url: arg.value, host };
  }
  return undefined;
}

function isNetworkRead(invocation: Invocation): boolean {
  if (FETCHERS.has(invocation.name) || NETWORK_READERS.has(invocation.name)) return true;
  return invocation.name === "openssl" && invocation.args.some((arg) => arg.value === "s_client");
}

/** Literal text a stage writes (echo/printf arguments, a heredoc fed to cat), for nested analysis. */
function literalText(invocation: Invocation): string | undefined {
  return literalOutput(invocation)?.text;
}

/** Decode a literal base64/hex payload a decoder stage reads (`echo X | base64 -d`, `base64 -d <<< X`). */
function decodeLiteral(decoder: Invocation, input: string | undefined): string | undefined {
  const text = (input ?? decoder.command.stdinText)?.trim();
  if (!text) return undefined;
  if (decoder.name === "base64" || decoder.name === "openssl") return Buffer.from(text, "base64").toString("utf8");
  if (decoder.name === "xxd") return Buffer.from(text.replace(/\s+/g, ""), "hex").toString("utf8");
  if (decoder.name === "rev") return [...text].reverse().join("");
  return undefined;
}

function remoteHit(ctx: RuleContext, source: { url: string; host: string } | undefined, what: string, segment: string): void {
  if (source && ctx.knownInstaller(source.url))
    ctx.hit("remote_code_exec", "review", `${what} (a known installer: ${source.url})`, segment);
  else ctx.hit("remote_code_exec", "block", `${what}${source ? ` from ${source.host}` : ""}`, segment);
}

/** A shell or interpreter reading its program from an earlier pipeline stage. */
function pipedProgram(runner: Invocation, invocationOf: InvocationOf, ctx: RuleContext): void {
  const { pipeline, stage } = runner.command;
  if (!pipeline || stage === undefined || stage === 0) return;
  const text = pipelineText(pipeline);
  // Look back a bounded number of stages: a 10,000-stage pipeline must stay linear.
  for (let index = Math.max(0, stage - LOOKBACK_STAGES); index < stage; index++) {
    for (const command of pipeline.stages[index]!) {
      const feeder = invocationOf(command);
      if (!feeder) continue;
      const tainted = feeder.args.find((arg) => arg.tainted);
      if (tainted && (feeder.name === "echo" || feeder.name === "printf" || feeder.name === "cat"))
        taintHit(ctx, tainted, `${tainted.raw} is piped into ${runner.name}`, text);
      if (isNetworkRead(feeder))
        remoteHit(ctx, fetchSource(feeder), `${display([feeder.nameWord, ...feeder.args])} is piped into ${runner.name}`, text);
      if (!isDecoder(feeder)) continue;
      ctx.hit("decode_exec", "block", `${feeder.name} output (decoded or unescaped text) is piped into ${runner.name}`, text);
      // Read the payload when it is literal: `echo X | base64 -d | sh`, `base64 -d <<< X | sh`, `printf '\x72\x6d …' | sh`.
      const decoded =
        decodeLiteral(feeder, index > 0 ? literalOf(pipeline.stages[index - 1], invocationOf) : undefined) ?? literalText(feeder);
      if (decoded) ctx.nested(decoded, `${feeder.name}-decoded`);
    }
  }
  // Literal scripts piped into the shell (`echo 'rm -rf /' | sh`, `cat <<EOF | sh`); code piped into an interpreter.
  const literal = literalOf(pipeline.stages[stage - 1], invocationOf);
  if (literal === undefined) return;
  if (isShell(runner.name) || runner.name === "source" || runner.name === ".") ctx.nested(literal, `text piped into ${runner.name}`);
  else judgeCode(literal, { program: runner.name, language: runner.name, segment: text, privileged: runner.privileged }, ctx);
}

/** A value decoded or fetched at run time (kept in a variable) is run as code. */
function taintHit(ctx: RuleContext, word: Word, what: string, segment: string): void {
  if (word.tainted === "decoded") ctx.hit("decode_exec", "block", `${what}: it holds decoded data`, segment);
  else if (word.tainted === "fetched") ctx.hit("remote_code_exec", "block", `${what}: it holds data fetched from the network`, segment);
}

function literalOf(stage: SimpleCommand[] | undefined, invocationOf: InvocationOf): string | undefined {
  if (!stage) return undefined;
  const texts = stage.map((command) => {
    const invocation = invocationOf(command);
    return invocation ? literalText(invocation) : undefined;
  });
  return texts.every((text) => text !== undefined) && texts.length > 0 ? texts.join("\n") : undefined;
}

function pipelineText(pipeline: { stages: SimpleCommand[][] }): string {
  const text = pipeline.stages
    .slice(0, 32)
    .map((stage) => stage.map((command) => command.text).join("; "))
    .join(" | ");
  return pipeline.stages.length > 32 ? `${text} | ...` : text;
}

/** Words whose substitutions run code: `sh -c "$(curl …)"`, `eval "$(… | base64 -d)"`, `bash <(curl …)`. */
function substitutedProgram(runner: Invocation, invocationOf: InvocationOf, ctx: RuleContext): void {
  // Only shells, interpreters, eval and source run a word as a program.
  if (!RUNS_PROGRAMS(runner.name)) return;
  const programWords: Word[] = [];
  const script = shellScriptArg(runner) ?? inlineCode(runner);
  if (script) programWords.push(script);
  if (runner.name === "eval") programWords.push(...runner.args);
  if (RUNS_PROGRAMS(runner.name) && runner.name !== "eval") {
    const first = positionals(runner.args)[0];
    if (first?.process) programWords.push(first);
  }
  for (const word of programWords) {
    if (word.tainted && word.substitutions.length === 0) taintHit(ctx, word, `${runner.name} runs ${word.raw}`, runner.command.text);
    for (const nested of word.substitutions) {
      for (const command of nested.commands) {
        const inner = invocationOf(command);
        if (!inner) continue;
        if (isNetworkRead(inner))
          remoteHit(
            ctx,
            fetchSource(inner),
            `${runner.name} runs code fetched by ${display([inner.nameWord, ...inner.args])}`,
            runner.command.text,
          );
        if (isDecoder(inner)) ctx.hit("decode_exec", "block", `${runner.name} runs text decoded by ${inner.name}`, runner.command.text);
      }
    }
  }
}

/** Files written by a download (`curl -o F`, `wget -O F`, `wget URL`), keyed by normalised path. */
function downloadTarget(invocation: Invocation): string | undefined {
  const args = invocation.args;
  for (let i = 0; i < args.length; i++) {
    const value = args[i]!.value;
    const next = args[i + 1]?.value;
    if (invocation.name === "curl" && (value === "-o" || value === "--output") && next) return next;
    if (invocation.name === "wget" && (value === "-O" || value === "--output-document") && next) return next === "-" ? undefined : next;
    const inline = /^(?:--output|--output-document)=(.+)$/.exec(value);
    if (inline) return inline[1];
  }
  if (invocation.name === "wget") {
    const url = positionals(args).find((arg) => hostOf(arg.value));
    const path = url ? /^[a-z]+:\/\/[^/]+\/(?:.*\/)?([^/?#]+)/i.exec(url.value)?.[1] : undefined;
    return path;
  }
  return undefined;
}

function executes(invocation: Invocation, file: string, cwd: string | undefined): boolean {
  const target = normalizePath(file, cwd);
  if (
    !invocation.nameWord.dynamic &&
    normalizePath(invocation.nameWord.value, invocation.command.cwd) === target &&
    /\//.test(invocation.nameWord.value)
  )
    return true;
  if (RUNS_PROGRAMS(invocation.name) && invocation.name !== "eval") {
    const first = invocation.args.find((arg) => !isOption(arg));
    return first !== undefined && normalizePath(first.value, invocation.command.cwd) === target;
  }
  return false;
}

/** Remote code execution, decoded payloads and reverse shells across a script. */
export function remoteRules(script: Script, invocationOf: InvocationOf, ctx: RuleContext): void {
  const downloads: { file: string; source?: { url: string; host: string }; cwd?: string; index: number }[] = [];
  const commands = script.commands;
  let socket: string | undefined;
  for (let index = 0; index < commands.length; index++) {
    const command = commands[index]!;
    const invocation = invocationOf(command);
    for (const redirect of command.redirects) reverseRedirect(redirect.target, command.text, ctx, invocation);
    if (!invocation) continue;
    // A socket opened on a descriptor (`ztcp host port`, `exec 3<>/dev/tcp/…`), then a shell wired to a descriptor.
    if (
      invocation.name === "ztcp" ||
      (invocation.name === "exec" && command.redirects.some((redirect) => /^\/dev\/(?:tcp|udp)\//.test(redirect.target?.value ?? "")))
    )
      socket = command.text;
    else if (
      socket &&
      isShell(invocation.name) &&
      command.redirects.some((redirect) => /[<>]&$/.test(redirect.op) && !/^[0-2]$/.test(redirect.target?.raw ?? ""))
    )
      ctx.hit("reverse_shell", "block", `${invocation.name} is wired to the socket opened by ${socket.slice(0, 60)}`, command.text);
    if (invocation.nameWord.tainted) taintHit(ctx, invocation.nameWord, `the command ${invocation.nameWord.raw} is run`, command.text);
    if (
      readsProgramFromStdin(invocation) ||
      (invocation.command.pipeline && !isShell(invocation.name) && isInterpreter(invocation.name) && !inlineCode(invocation))
    )
      pipedProgram(invocation, invocationOf, ctx);
    substitutedProgram(invocation, invocationOf, ctx);
    reverseShell(invocation, invocationOf, ctx);
    if (FETCHERS.has(invocation.name)) {
      const file = downloadTarget(invocation);
      if (file) downloads.push({ file, source: fetchSource(invocation), cwd: command.cwd, index });
    }
    for (const download of downloads) {
      if (download.index < index && executes(invocation, download.file, download.cwd)) {
        remoteHit(ctx, download.source, `${download.file} is downloaded and then executed`, command.text);
      }
    }
  }
  for (const redirect of script.bareRedirects) reverseRedirect(redirect.target, redirect.target?.raw ?? "", ctx);
}

/**
 * A redirect to `/dev/tcp/HOST/PORT`: a shell (or `exec` setting up descriptors for one) there is
 * a reverse shell; another command is moving data over a raw socket (judged with what it reads).
 */
function reverseRedirect(target: Word | undefined, segment: string, ctx: RuleContext, invocation?: Invocation): void {
  if (!target || !/^\/dev\/(?:tcp|udp)\//.test(target.value)) return;
  if (!invocation || invocation.name === "exec" || isShell(invocation.name) || isInterpreter(invocation.name))
    ctx.hit("reverse_shell", "block", `a shell is wired to the network socket ${target.value}`, segment);
  else {
    ctx.fact("network_send", `data moves over the raw socket ${target.value}`, segment);
    ctx.hit("sensitive_upload", "review", `${invocation.name} moves data over the raw socket ${target.value}`, segment);
  }
}

function listens(invocation: Invocation): boolean {
  return invocation.args.some((arg) => /^-\w*l\w*$|^--listen$|^(?:tcp|tcp4|tcp6|udp|ssl|openssl)-l(?:isten)?:/i.test(arg.value));
}

function reverseShell(invocation: Invocation, invocationOf: InvocationOf, ctx: RuleContext): void {
  const { name, args, command } = invocation;
  if (!NETWORK_READERS.has(name) && !(command.pipeline && SHELL_LIKE(name))) return;
  const values = args.map((arg) => arg.value);
  const rule = listens(invocation) ? "bind_shell" : "reverse_shell";
  if (
    (name === "nc" || name === "ncat" || name === "netcat") &&
    values.some((value) => /^(?:-e|-c|--exec|--sh-exec|--lua-exec)$|^-\w*[ec]$/.test(value))
  )
    ctx.hit(rule, "block", `${name} hands a shell to a network peer (${display(args)})`, command.text);
  if (name === "socat" && values.some((value) => /(?:^|[!,])(?:exec|system):/i.test(value)))
    ctx.hit(rule, "block", `socat connects a network socket to a program (${display(args)})`, command.text);
  // A shell wired between network tools: `nc … | sh | nc …`, `cat fifo | sh -i | nc …`.
  const pipeline = command.pipeline;
  if (pipeline && SHELL_LIKE(name) && (values.includes("-i") || readsProgramFromStdin(invocation))) {
    const stage = command.stage ?? 0;
    const others = pipeline.stages
      .slice(Math.max(0, stage - LOOKBACK_STAGES), stage + LOOKBACK_STAGES + 1)
      .flat()
      .filter((other) => other !== command)
      .map(invocationOf);
    const peer = others.find((other) => other && isNetworkRead(other) && !FETCHERS.has(other.name));
    if (peer)
      ctx.hit(
        listens(peer) ? "bind_shell" : "reverse_shell",
        "block",
        `${name} is wired to a network connection (${peer.name})`,
        pipelineText(pipeline),
      );
  }
}
