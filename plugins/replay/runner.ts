/**
 * The replay harness behind `talon replay FILE`: runs a corpus of frames through the real
 * pipeline (a host without the gateway: the extract hook, the scheduler, every loaded detector,
 * the policy and the observers) and checks each case. Two corpus formats, the seed's:
 *
 * - decisions (seed-defender §13.1, `replay-basic.json`): `{cases:[{name, frame, expect:{action,
 *   min_risk?, max_risk?, tags_include?, tags_exclude?}}]}`; each frame is ingested as the bridge
 *   would and must yield one decision that meets `expect`.
 * - routing (seed-gateway §6.3, `session-routing-corpus.json`): `{cases:[{name, max_queue,
 *   queue_mode, group_activation_mode, requests:[{id, session_key, prompt?, command?, chat_type?,
 *   was_mentioned?}], expect_request_ids}]}`; the requests are sent back to back as `agent`
 *   events and the ids of the evaluated decisions, in order, must equal `expect_request_ids`.
 *   The seed dropped requests over capacity silently; Talon answers them with a decision refused
 *   for capacity, which is reported but is not an evaluated decision.
 *
 * The envelope may add `talon: {config?, plugins?}`: host config merged over the harness's
 * (in-memory store, temporary data and quarantine folders), and plugin paths relative to the
 * corpus file (e.g. a detector that takes 120 ms, as the seed's routing harness had).
 *
 * Hosts come from `withHost` (the CLI command's `ctx.withHost`, or a test host provider).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import {
  TalonError,
  errorMessage,
  isObject,
  mergeConfig,
  type CommandContext,
  type Evaluation,
  type FrameContext,
  type FrameKind,
  type HostHandle,
} from "@talon/sdk";

/** Starts a host from options, runs the body, stops it. */
export type HostRunner = CommandContext["withHost"];

/** The outcome of one corpus case. */
export interface ReplayCaseResult {
  name: string;
  pass: boolean;
  /** What was seen (and, on failure, what was expected). */
  detail: string;
}

/** The outcome of one corpus file. */
export interface ReplayReport {
  file: string;
  format: "decisions" | "routing";
  cases: ReplayCaseResult[];
  passed: number;
  failed: number;
}

interface Envelope {
  talon?: { config?: Record<string, unknown>; plugins?: string[] };
  cases: Record<string, unknown>[];
}

type Json = Record<string, unknown>;

function invalid(file: string, message: string): TalonError {
  return new TalonError("TALON_CLI_USAGE", `${file}: ${message}`, {
    hint: "a replay corpus is {cases:[...]} in the seed's replay or session-routing format",
  });
}

function frameKind(frame: Json): FrameKind {
  if (frame.type === "event") return "event";
  if (frame.type === "req") return "req";
  if (frame.type === "res" || frame.type === "resp") return "res";
  if (frame.type === "error") return "error";
  return "unknown";
}

async function withHost<T>(config: Json, cwd: string, run: HostRunner, body: (host: HostHandle) => Promise<T>): Promise<T> {
  const scratch = await mkdtemp(join(tmpdir(), "talon-replay-"));
  const base: Json = {
    data_dir: join(scratch, "data"),
    state: { url: "memory" },
    log: { level: "silent" },
    gateway: { runtime_mode: "bridge_client", server: { reload_interval_secs: 0 } },
    plugins: { entries: { quarantine: { config: { dir: join(scratch, "quarantine") } } } },
  };
  try {
    return await run({ inline: mergeConfig(base, config), env: {}, cwd }, body);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function describe(evaluation: Evaluation | undefined): string {
  if (!evaluation) return "no decision";
  if (evaluation.status !== "decided") return evaluation.status;
  const { decision } = evaluation.record;
  return `${decision.action} risk=${decision.risk_score} tags=[${decision.tags.join(",")}]`;
}

async function runDecisionCase(host: HostHandle, item: Json, index: number): Promise<ReplayCaseResult> {
  const name = typeof item.name === "string" ? item.name : `case ${index + 1}`;
  if (!isObject(item.frame) || !isObject(item.expect))
    return { name, pass: false, detail: "case needs a frame object and an expect object" };
  const frame = item.frame;
  const expect = item.expect;
  const context: FrameContext = {
    mode: "bridge",
    kind: frameKind(frame),
    ...(typeof frame.event === "string" ? { event: frame.event } : {}),
    ...(typeof frame.method === "string" ? { method: frame.method } : {}),
  };
  const evaluations = await host.ingestFrame(frame, context);
  const evaluation = evaluations.find((entry) => entry.status === "decided") ?? evaluations[0];
  const seen = describe(evaluation);
  if (!evaluation || evaluation.status !== "decided")
    return { name, pass: false, detail: `expected ${String(expect.action)}, got ${seen}` };
  const { decision } = evaluation.record;
  const problems: string[] = [];
  if (decision.action !== expect.action) problems.push(`action ${decision.action} != ${String(expect.action)}`);
  if (typeof expect.min_risk === "number" && decision.risk_score < expect.min_risk)
    problems.push(`risk ${decision.risk_score} < ${expect.min_risk}`);
  if (typeof expect.max_risk === "number" && decision.risk_score > expect.max_risk)
    problems.push(`risk ${decision.risk_score} > ${expect.max_risk}`);
  for (const tag of Array.isArray(expect.tags_include) ? expect.tags_include : [])
    if (!decision.tags.includes(tag as string)) problems.push(`tag ${String(tag)} missing`);
  for (const tag of Array.isArray(expect.tags_exclude) ? expect.tags_exclude : [])
    if (decision.tags.includes(tag as string)) problems.push(`tag ${String(tag)} present`);
  return { name, pass: problems.length === 0, detail: problems.length === 0 ? seen : `${problems.join("; ")} (got ${seen})` };
}

function routingFrame(request: Json): Json {
  const payload: Json = { id: request.id, sessionKey: request.session_key };
  if (request.prompt !== undefined) payload.prompt = request.prompt;
  if (request.command !== undefined) payload.command = request.command;
  if (request.chat_type !== undefined) payload.chatType = request.chat_type;
  if (request.was_mentioned !== undefined) payload.wasMentioned = request.was_mentioned;
  return { type: "event", event: "agent", payload };
}

async function runRoutingCase(config: Json, cwd: string, run: HostRunner, item: Json, index: number): Promise<ReplayCaseResult> {
  const name = typeof item.name === "string" ? item.name : `case ${index + 1}`;
  if (!Array.isArray(item.requests) || !Array.isArray(item.expect_request_ids))
    return { name, pass: false, detail: "case needs requests and expect_request_ids" };
  const runtime: Json = {};
  if (typeof item.max_queue === "number") runtime.max_queue = item.max_queue;
  if (typeof item.queue_mode === "string") runtime.session_queue_mode = item.queue_mode;
  if (typeof item.group_activation_mode === "string") runtime.group_activation_mode = item.group_activation_mode;
  return withHost(mergeConfig(config, { runtime }), cwd, run, async (host) => {
    const decided: string[] = [];
    const refused: string[] = [];
    const other: string[] = [];
    const context: FrameContext = { mode: "bridge", kind: "event", event: "agent" };
    // Back to back, without waiting, as the seed's fake gateway sent them; record in settle order.
    const all = (item.requests as Json[]).map((request) =>
      host.ingestFrame(routingFrame(request), context).then((evaluations) => {
        for (const evaluation of evaluations) {
          if (evaluation.status !== "decided") other.push(`${evaluation.action.id}:${evaluation.status}`);
          else if (evaluation.record.refused) refused.push(evaluation.record.action.id);
          else decided.push(evaluation.record.action.id);
        }
      }),
    );
    await Promise.all(all);
    const expected = (item.expect_request_ids as unknown[]).map(String);
    const duplicates = decided.filter((id, at) => decided.indexOf(id) !== at);
    const pass = duplicates.length === 0 && decided.length === expected.length && decided.every((id, at) => id === expected[at]);
    const seen = `decided [${decided.join(",")}]${refused.length ? ` refused for capacity [${refused.join(",")}]` : ""}${other.length ? ` ${other.join(",")}` : ""}`;
    return { name, pass, detail: pass ? seen : `expected [${expected.join(",")}], ${seen}` };
  });
}

/** Run one corpus file. Throws TALON_CLI_USAGE for a file that is not a corpus. */
export async function runReplayFile(file: string, options: { cwd: string; withHost: HostRunner; config?: Json }): Promise<ReplayReport> {
  const path = resolve(options.cwd, file);
  let corpus: unknown;
  try {
    corpus = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw invalid(path, `cannot read the corpus: ${errorMessage(error)}`);
  }
  if (!isObject(corpus) || !Array.isArray(corpus.cases)) throw invalid(path, "no cases array");
  const envelope = corpus as unknown as Envelope;
  const plugins = (envelope.talon?.plugins ?? []).map((plugin) => resolve(dirname(path), plugin));
  const config = mergeConfig(
    mergeConfig(envelope.talon?.config ?? {}, options.config ?? {}),
    plugins.length > 0 ? { plugins: { load: plugins } } : {},
  );
  const first = envelope.cases[0];
  const format = isObject(first) && Array.isArray(first.requests) ? "routing" : "decisions";
  const cases: ReplayCaseResult[] = [];
  if (format === "decisions") {
    await withHost(config, options.cwd, options.withHost, async (host) => {
      for (const [index, item] of envelope.cases.entries())
        cases.push(
          isObject(item) ? await runDecisionCase(host, item, index) : { name: `case ${index + 1}`, pass: false, detail: "not an object" },
        );
    });
  } else {
    for (const [index, item] of envelope.cases.entries())
      cases.push(
        isObject(item)
          ? await runRoutingCase(config, options.cwd, options.withHost, item, index)
          : { name: `case ${index + 1}`, pass: false, detail: "not an object" },
      );
  }
  const passed = cases.filter((entry) => entry.pass).length;
  return { file: path, format, cases, passed, failed: cases.length - passed };
}
