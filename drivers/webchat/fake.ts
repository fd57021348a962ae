/**
 * The webchat driver's "platform" is people with a browser. These visitors do over real HTTP what
 * the page's script does: open a session, keep the event stream open, post messages, and record
 * what the bot sent them (replies, edits, deletions, typing).
 */
import { randomUUID } from "node:crypto";
import type { FakeInbound, FakePlatform, FakeSent, InjectedMessage } from "@talon/sdk/testing";

interface Visitor {
  visitorId: string;
  token: string;
  stream: AbortController;
}

export interface WebchatVisitors extends FakePlatform {
  /** Call the API as a visitor with a token (or none), returning status and JSON. */
  api(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string>; token?: string },
  ): Promise<{ status: number; json: any }>;
  /** A visitor's session, created on first use. */
  visitor(hint: string): Promise<Visitor>;
}

export function createWebchatVisitors(options: { basePath?: string; accessKey?: string } = {}): WebchatVisitors {
  let base = "";
  const visitors = new Map<string, Promise<Visitor>>();
  const posted = new Map<string, { token: string; clientId: string; text: string }>();
  const sent: FakeSent[] = [];
  const edits: { messageId: string; text: string }[] = [];
  const deletions: string[] = [];
  const typings: { chatId: string }[] = [];
  let openStreams = 0;

  const headers = (token?: string, extra: Record<string, string> = {}) => ({
    "x-webchat": "1",
    "content-type": "application/json",
    ...(options.accessKey ? { "x-webchat-key": options.accessKey } : {}),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  });

  const record = (visitorId: string, event: any) => {
    if (event.type === "message" && event.direction === "out") sent.push({ messageId: event.id, chatId: visitorId, text: event.text });
    else if (event.type === "edit") edits.push({ messageId: event.id, text: event.text });
    else if (event.type === "delete") deletions.push(event.id);
    else if (event.type === "typing") typings.push({ chatId: visitorId });
  };

  const listen = async (visitor: Visitor) => {
    const response = await fetch(`${base}/api/events`, { headers: headers(visitor.token), signal: visitor.stream.signal });
    if (!response.ok || !response.body) throw new Error(`event stream refused: ${response.status}`);
    openStreams++;
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf("\n\n")) !== -1) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame
              .split("\n")
              .filter((line) => line.startsWith("data: "))
              .map((line) => line.slice(6))
              .join("\n");
            if (data) record(visitor.visitorId, JSON.parse(data));
          }
        }
      } catch {
        // Aborted or the server went away.
      } finally {
        openStreams--;
      }
    })();
  };

  const fake: WebchatVisitors = {
    async start() {},
    async stop() {
      for (const pending of visitors.values()) (await pending.catch(() => undefined))?.stream.abort();
    },
    driverConfig: () => ({ ...(options.accessKey ? { accessKey: options.accessKey } : {}) }),
    attach(talon) {
      base = `${talon.httpUrl}${options.basePath ?? "/webchat"}`;
    },
    async api(path, init = {}) {
      const response = await fetch(`${base}${path}`, {
        method: init.method ?? "POST",
        headers: { ...headers(init.token), ...init.headers },
        ...(init.body === undefined ? {} : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
      });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : undefined };
    },
    visitor(hint) {
      let pending = visitors.get(hint);
      if (!pending) {
        pending = (async () => {
          const session = await fake.api("/api/session", { body: {} });
          if (session.status !== 200) throw new Error(`session refused: ${JSON.stringify(session.json)}`);
          const visitor = { visitorId: session.json.visitorId, token: session.json.token, stream: new AbortController() };
          await listen(visitor);
          return visitor;
        })();
        visitors.set(hint, pending);
      }
      return pending;
    },
    async openChat(hint) {
      return (await fake.visitor(hint)).visitorId;
    },
    async inject(message: FakeInbound): Promise<InjectedMessage> {
      const visitor = await fake.visitor(message.chatId);
      const clientId = randomUUID();
      const answer = await fake.api("/api/messages", { body: { id: clientId, text: message.text }, token: visitor.token });
      if (answer.status !== 202) throw new Error(`message refused: ${answer.status} ${JSON.stringify(answer.json)}`);
      posted.set(answer.json.id, { token: visitor.token, clientId, text: message.text });
      return { id: answer.json.id, chatId: visitor.visitorId, senderId: visitor.visitorId };
    },
    async redeliver(id) {
      const original = posted.get(id)!;
      const answer = await fake.api("/api/messages", { body: { id: original.clientId, text: original.text }, token: original.token });
      if (answer.status !== 200 || answer.json.status !== "duplicate")
        throw new Error(`redelivery answered ${answer.status} ${JSON.stringify(answer.json)}`);
    },
    async injectOversized(chat, length) {
      const visitor = await fake.visitor(chat.chatId);
      const answer = await fake.api("/api/messages", { body: { id: randomUUID(), text: "x".repeat(length) }, token: visitor.token });
      if (answer.status !== 400) throw new Error(`oversized message answered ${answer.status}`);
    },
    sent: () => sent,
    edits: () => edits,
    deletions: () => deletions,
    typings: () => typings,
    openConnections: () => openStreams,
  };
  return fake;
}
