/**
 * Code that arrives from elsewhere and runs: network content piped, process-substituted or
 * command-substituted into a shell or interpreter (`curl … | bash` is caught whatever follows
 * the pipe, seed §15 item 3), downloads executed later in the same script, decoded payloads
 * (`base64 -d | sh`, `xxd -r`, `printf '\x…'`), and reverse shells.
 */
import {
  FETCHERS,
  SHELLS,
  INTERPRETERS,
  display,
  isOption,
  positionals,
  readsProgramFromStdin,
  shellScriptArg,
  inlineCode,
  type Invocation,
} from "../commands.ts";
import type { Script, SimpleCommand, Word } from "../ir.ts";
import { hostOf, normalizePath } from "../paths.ts";
import { decodeEscapes } from "../words.ts";
import type { RuleContext } from "./context.ts";

/** Look up the invocation of a simple command (computed once per script by the analyser). */
export type InvocationOf = (command: SimpleCommand) => Invocation | undefined;

const NETWORK_READERS = new Set(["nc", "ncat", "netcat", "telnet", "socat"]);
/** Earlier stages considered as feeders of a pipeline stage. */
const LOOKBACK_STAGES = 16;

function isDecoder(invocation: Invocation): boolean {
  const { name, args } = invocation;
  const values = args.map((arg) => arg.value);
  if (name === "base64" || name === "base32" || name === "basenc") return values.some((value) => /^-\w*[dD]\w*$|^--decode$/.test(value));
  if (name === "openssl") return values.includes("-d") && values.some((value) => /^(?:base64|enc|-base64|-a)$/.test(value));
  if (name === "xxd") return values.some((value) => /^-\w*r/.test(value));
  if (name === "uudecode" || name === "rev") return true;
  if (name === "tr") return values.some((value) => /n-za-m/i.test(value));
  if (name === "printf") return values.some((value) => /\\(?:x[0-9a-f]|[0-7]{2,3})/i.test(value));
  if (name === "echo") return values.includes("-e") && values.some((value) => /\\(?:x[0-9a-f]|[0-7]{2,3})/i.test(value));
  return false;
}

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
function literalOutput(invocation: Invocation): string | undefined {
  const { name, args, command } = invocation;
  if (args.some((arg) => arg.dynamic)) return undefined;
  if (name === "echo") {
    const words = args
      .filter((arg) => !/^-[neE]+$/.test(arg.value))
      .map((arg) => arg.value)
      .join(" ");
    return args.some((arg) => arg.value === "-e") ? decodeEscapes(words).text : words;
  }
  if (name === "printf") return args.length > 0 ? decodeEscapes(args[0]!.value).text : undefined;
  if (name === "cat" && args.length === 0) return command.stdinText;
  return undefined;
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
      if (isNetworkRead(feeder))
        remoteHit(ctx, fetchSource(feeder), `${display([feeder.nameWord, ...feeder.args])} is piped into ${runner.name}`, text);
      if (!isDecoder(feeder)) continue;
      ctx.hit("decode_exec", "block", `${feeder.name} output (decoded or unescaped text) is piped into ${runner.name}`, text);
      // Read the payload when it is literal: `echo X | base64 -d | sh`, `base64 -d <<< X | sh`, `printf '\x72\x6d …' | sh`.
      const decoded =
        decodeLiteral(feeder, index > 0 ? literalOf(pipeline.stages[index - 1], invocationOf) : undefined) ?? literalOutput(feeder);
      if (decoded) ctx.nested(decoded, `${feeder.name}-decoded`);
    }
  }
  // Literal scripts piped into the shell (`echo 'rm -rf /' | sh`, `cat <<EOF | sh`).
  const literal = literalOf(pipeline.stages[stage - 1], invocationOf);
  if (literal !== undefined) ctx.nested(literal, `text piped into ${runner.name}`);
}

function literalOf(stage: SimpleCommand[] | undefined, invocationOf: InvocationOf): string | undefined {
  if (!stage) return undefined;
  const texts = stage.map((command) => {
    const invocation = invocationOf(command);
    return invocation ? literalOutput(invocation) : undefined;
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
  if (!SHELLS.has(runner.name) && !INTERPRETERS[runner.name] && runner.name !== "eval" && runner.name !== "source" && runner.name !== ".")
    return;
  const programWords: Word[] = [];
  const script = shellScriptArg(runner) ?? inlineCode(runner);
  if (script) programWords.push(script);
  if (runner.name === "eval") programWords.push(...runner.args);
  if (SHELLS.has(runner.name) || INTERPRETERS[runner.name] || runner.name === "source" || runner.name === ".") {
    const first = positionals(runner.args)[0];
    if (first?.process) programWords.push(first);
  }
  for (const word of programWords) {
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
  if (SHELLS.has(invocation.name) || INTERPRETERS[invocation.name] || invocation.name === "source" || invocation.name === ".") {
    const first = invocation.args.find((arg) => !isOption(arg));
    return first !== undefined && normalizePath(first.value, invocation.command.cwd) === target;
  }
  return false;
}

/** Remote code execution, decoded payloads and reverse shells across a script. */
export function remoteRules(script: Script, invocationOf: InvocationOf, ctx: RuleContext): void {
  const downloads: { file: string; source?: { url: string; host: string }; cwd?: string; index: number }[] = [];
  const commands = script.commands;
  for (let index = 0; index < commands.length; index++) {
    const command = commands[index]!;
    const invocation = invocationOf(command);
    for (const redirect of command.redirects) reverseRedirect(redirect.target, command.text, ctx);
    if (!invocation) continue;
    if (readsProgramFromStdin(invocation)) pipedProgram(invocation, invocationOf, ctx);
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

function reverseRedirect(target: Word | undefined, segment: string, ctx: RuleContext): void {
  if (target && /^\/dev\/(?:tcp|udp)\//.test(target.value))
    ctx.hit("reverse_shell", "block", `redirect to the network socket ${target.value}`, segment);
}

function reverseShell(invocation: Invocation, invocationOf: InvocationOf, ctx: RuleContext): void {
  const { name, args, command } = invocation;
  if (!NETWORK_READERS.has(name) && !(command.pipeline && SHELLS.has(name))) return;
  const values = args.map((arg) => arg.value);
  if (
    (name === "nc" || name === "ncat" || name === "netcat") &&
    values.some((value) => /^(?:-e|-c|--exec|--sh-exec|--lua-exec)$|^-\w*e$/.test(value))
  ) {
    ctx.hit("reverse_shell", "block", `${name} hands a shell to a network peer (${display(args)})`, command.text);
  }
  if (name === "socat" && values.some((value) => /^(?:exec|system):/i.test(value)))
    ctx.hit("reverse_shell", "block", "socat connects a network socket to a program", command.text);
  // A shell wired between network tools: `nc … | sh | nc …`, `cat fifo | sh -i | nc …`.
  const pipeline = command.pipeline;
  if (pipeline && (SHELLS.has(name) || name === "bash") && (values.includes("-i") || readsProgramFromStdin(invocation))) {
    const stage = command.stage ?? 0;
    const others = pipeline.stages
      .slice(Math.max(0, stage - LOOKBACK_STAGES), stage + LOOKBACK_STAGES + 1)
      .flat()
      .filter((other) => other !== command)
      .map(invocationOf);
    if (others.some((other) => other && isNetworkRead(other) && !FETCHERS.has(other.name)))
      ctx.hit("reverse_shell", "block", `${name} is wired to a network connection`, pipelineText(pipeline));
  }
}
