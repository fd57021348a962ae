/**
 * A fake OpenAI-compatible model on 127.0.0.1 for running a real OpenClaw agent offline: it speaks
 * streaming chat completions as upstream's `api: "openai-completions"` provider calls them
 * (`POST /v1/chat/completions` with `stream: true`; SSE `data:` chunks; tool calls as
 * `delta.tool_calls[{index,id,type:"function",function:{name,arguments}}]` closed by
 * `finish_reason: "tool_calls"`, then `data: [DONE]`), and `GET /v1/models`.
 *
 * It is scripted from the request's content, never from "the last message is ...": OpenClaw
 * sends a large system prompt, the user's text, and an internal-context user message that it
 * appends again after each tool result. A script names a marker; when a user message contains
 * it, the fake asks for the script's tool call; once a tool result for that call is in the
 * conversation, it answers with text quoting the result (so a test can see what the model was
 * told, e.g. Talon's block reason).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** One tool call the model makes. */
export interface ScriptedCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** What the model does when a user message contains `marker`. */
export interface Script {
  marker: string;
  /** The tool call to make; without one, the model answers `reply` at once. */
  call?: ScriptedCall;
  /** Text answered when no call is scripted (default "ok"). */
  reply?: string;
  /** Wait this long before answering (ms): a test can act while the model "thinks". */
  delayMs?: number;
}

/** A chat message as received (OpenAI chat shape). */
export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_call_id?: string;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
}

/** A recorded request. */
export interface ModelRequest {
  readonly path: string;
  readonly model: string | undefined;
  readonly messages: readonly ChatMessage[];
  readonly tools: readonly string[];
}

export interface FakeModel {
  /** Base URL for the provider config (`http://127.0.0.1:<port>/v1`). */
  readonly baseUrl: string;
  /** Every chat request, oldest first (bounded). */
  readonly requests: ModelRequest[];
  /** Add or replace a script (by marker). */
  script(script: Script): void;
  /** Requests whose user text contains `marker`. */
  requestsFor(marker: string): ModelRequest[];
  /** The tool result the model received for the call scripted under `marker`, if any. */
  toolResultFor(marker: string): string | undefined;
  close(): Promise<void>;
}

/** Most requests kept (a test needs the recent ones). */
const MAX_RECORDED = 500;
/** Largest request body read (OpenClaw's system prompt is ~48 KB; transcripts grow). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The text of a message's content (a string, or an array of `{type:"text",text}` parts). */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === "string" ? part : typeof part?.text === "string" ? part.text : ""))
      .filter(Boolean)
      .join("\n");
  }
  return "";
}

/** A tool call id per marker (OpenClaw may shorten ids, so results are matched through the assistant's calls). */
export function callIdFor(marker: string): string {
  return `call_${Buffer.from(marker).toString("hex").slice(0, 12)}`;
}

/** The tool result for the call scripted under `script`: found by the assistant message that made that call. */
function resultFor(messages: readonly ChatMessage[], script: Script): ChatMessage | undefined {
  if (!script.call) return undefined;
  const args = JSON.stringify(script.call.arguments);
  const ids = new Set<string>();
  for (const message of messages) {
    if (message.role !== "assistant" || !Array.isArray(message.tool_calls)) continue;
    for (const call of message.tool_calls) {
      if (call.function?.name === script.call.name && sameArguments(call.function.arguments, args)) ids.add(call.id);
    }
  }
  return messages.find((message) => message.role === "tool" && message.tool_call_id !== undefined && ids.has(message.tool_call_id));
}

function sameArguments(received: string | undefined, expected: string): boolean {
  try {
    return JSON.stringify(JSON.parse(received ?? "")) === expected;
  } catch {
    return false;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function sse(response: ServerResponse, chunk: unknown): void {
  response.write(`data: ${typeof chunk === "string" ? chunk : JSON.stringify(chunk)}\n\n`);
}

type Decision = ({ kind: "call"; id: string; call: ScriptedCall } | { kind: "text"; text: string }) & { delayMs?: number };

/** Decide the answer from the conversation's content. */
function decide(messages: readonly ChatMessage[], scripts: ReadonlyMap<string, Script>): Decision {
  const userText = messages
    .filter((message) => message.role === "user")
    .map((message) => textOf(message.content))
    .join("\n");
  // The newest script whose marker the user wrote (a session may hold earlier turns).
  let script: Script | undefined;
  let at = -1;
  for (const candidate of scripts.values()) {
    const index = userText.lastIndexOf(candidate.marker);
    if (index > at) {
      at = index;
      script = candidate;
    }
  }
  if (!script) return { kind: "text", text: "no script for this request" };
  if (!script.call) return { kind: "text", text: script.reply ?? "ok" };
  const result = resultFor(messages, script);
  if (result) return { kind: "text", text: `tool result for ${script.marker}: ${textOf(result.content)}` };
  return { kind: "call", id: callIdFor(script.marker), call: script.call, delayMs: script.delayMs };
}

function stream(response: ServerResponse, model: string, decision: Decision): void {
  const base = { id: `chatcmpl-${Date.now()}`, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model };
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  if (decision.kind === "call") {
    const args = JSON.stringify(decision.call.arguments);
    sse(response, {
      ...base,
      choices: [
        {
          index: 0,
          delta: {
            role: "assistant",
            content: null,
            tool_calls: [{ index: 0, id: decision.id, type: "function", function: { name: decision.call.name, arguments: "" } }],
          },
          finish_reason: null,
        },
      ],
    });
    // Arguments in two pieces, as real providers stream them.
    const half = Math.floor(args.length / 2);
    for (const piece of [args.slice(0, half), args.slice(half)]) {
      sse(response, {
        ...base,
        choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] }, finish_reason: null }],
      });
    }
    sse(response, { ...base, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] });
  } else {
    sse(response, { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] });
    sse(response, { ...base, choices: [{ index: 0, delta: { content: decision.text }, finish_reason: null }] });
    sse(response, { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
  }
  sse(response, { ...base, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
  sse(response, "[DONE]");
  response.end();
}

/** Start the fake on a free loopback port. */
export async function startFakeModel(scripts: readonly Script[] = [], modelId = "fake-1"): Promise<FakeModel> {
  const scripted = new Map<string, Script>(scripts.map((script) => [script.marker, script]));
  const requests: ModelRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer(async (request, response) => {
    try {
      const path = (request.url ?? "/").split("?")[0]!;
      if (request.method === "GET" && path.endsWith("/models")) {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ object: "list", data: [{ id: modelId, object: "model", owned_by: "fake" }] }));
        return;
      }
      if (request.method !== "POST" || !path.endsWith("/chat/completions")) {
        response.writeHead(404, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { message: `no route ${request.method} ${path}`, type: "invalid_request_error" } }));
        return;
      }
      const body = JSON.parse(await readBody(request)) as {
        model?: string;
        messages?: ChatMessage[];
        tools?: { function?: { name?: string } }[];
        stream?: boolean;
      };
      const messages = Array.isArray(body.messages) ? body.messages : [];
      requests.push({
        path,
        model: body.model,
        messages,
        tools: (body.tools ?? []).map((tool) => tool.function?.name ?? "").filter(Boolean),
      });
      if (requests.length > MAX_RECORDED) requests.shift();
      if (body.stream !== true) {
        response.writeHead(400, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { message: "this fake only streams (stream: true)", type: "invalid_request_error" } }));
        return;
      }
      const decision = decide(messages, scripted);
      if (decision.delayMs) await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
      stream(response, body.model ?? modelId, decision);
    } catch (error) {
      if (!response.headersSent) response.writeHead(400, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { message: String(error), type: "invalid_request_error" } }));
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const hasMarker = (request: ModelRequest, marker: string) =>
    request.messages.some((message) => message.role === "user" && textOf(message.content).includes(marker));
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script(script) {
      scripted.set(script.marker, script);
    },
    requestsFor: (marker) => requests.filter((request) => hasMarker(request, marker)),
    toolResultFor(marker) {
      const script = scripted.get(marker);
      if (!script) return undefined;
      for (let i = requests.length - 1; i >= 0; i--) {
        const result = resultFor(requests[i]!.messages, script);
        if (result) return textOf(result.content);
      }
      return undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
