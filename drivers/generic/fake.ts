/**
 * The "platform" of the generic driver: a system that POSTs signed JSON messages to Talon and
 * receives Talon's signed replies on its own endpoint. It checks every signature Talon sends
 * (401 on a bad one), can refuse sends with 429 + Retry-After or 500, and records what arrived.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeInbound, FakePlatform, FakeSent } from "@talon/sdk/testing";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify } from "./signature.ts";

export const GENERIC_SECRET = "generic-test-secret-0123456789";
export const GENERIC_OUTBOUND_SECRET = "generic-outbound-secret-98765";

export interface GenericEndpoint extends FakePlatform {
  /** POST a raw body with the given headers to the driver's webhook; returns status and JSON. */
  post(body: string, headers?: Record<string, string>): Promise<{ status: number; json: any; headers: Headers }>;
  /** Sign and POST a JSON payload (one message or `{messages:[...]}`). */
  /** POST `payload` as JSON, signed; `raw` sends a string payload as it is (for malformed bodies). */
  postSigned(
    payload: unknown,
    options?: { timestamp?: number; secret?: string; raw?: boolean },
  ): Promise<{ status: number; json: any; headers: Headers }>;
  /** Outbound requests refused for a bad signature. */
  readonly badSignatures: number;
  sendAttempts(): number[];
  rateLimitNext(count: number, retryAfterMs: number): void;
  failNext(count: number): void;
  /** Accept the next `accept` sends, then fail the `fail` after them with 500. */
  acceptThenFail(accept: number, fail: number): void;
}

export function createGenericEndpoint(options: { path?: (accountId: string) => string } = {}): GenericEndpoint {
  let server: Server | undefined;
  let port = 0;
  let talon: { httpUrl: string; accountId: string } | undefined;
  const sent: FakeSent[] = [];
  const attempts: number[] = [];
  const delivered = new Map<string, unknown>();
  let rateLimited: { count: number; retryAfterMs: number } = { count: 0, retryAfterMs: 0 };
  let failing = 0;
  let acceptBeforeFailing = 0;
  let badSignatures = 0;
  let sequence = 0;

  const webhookUrl = () => {
    if (!talon) throw new Error("attach() the endpoint to Talon first");
    return `${talon.httpUrl}${options.path ? options.path(talon.accountId) : `/channels/generic/${talon.accountId}`}`;
  };

  const endpoint: GenericEndpoint = {
    get badSignatures() {
      return badSignatures;
    },
    async start() {
      server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          const body = Buffer.concat(chunks);
          attempts.push(performance.now());
          const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => {
            response.writeHead(status, { "content-type": "application/json", ...headers });
            response.end(JSON.stringify(json));
          };
          const check = verify(
            GENERIC_OUTBOUND_SECRET,
            request.headers[SIGNATURE_HEADER] as string,
            request.headers[TIMESTAMP_HEADER] as string,
            body,
            300,
          );
          if (!check.ok) {
            badSignatures++;
            return answer(401, { error: check.reason });
          }
          if (rateLimited.count > 0) {
            rateLimited.count--;
            return answer(429, { error: "slow down" }, { "retry-after": String(rateLimited.retryAfterMs / 1000) });
          }
          if (failing > 0 && acceptBeforeFailing > 0) {
            acceptBeforeFailing--;
          } else if (failing > 0) {
            failing--;
            return answer(500, { error: "internal" });
          }
          const event = JSON.parse(body.toString("utf8"));
          const messageId = `g-${++sequence}`;
          const record: FakeSent = { messageId, chatId: event.chatId, text: event.text };
          if (event.threadId) record.threadId = event.threadId;
          if (event.replyTo) record.replyTo = event.replyTo;
          if (event.attachments) record.attachments = event.attachments;
          sent.push(record);
          answer(200, { messageId });
        });
      });
      await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
      port = (server.address() as AddressInfo).port;
    },
    async stop() {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
    driverConfig: () => ({ secret: GENERIC_SECRET, outboundSecret: GENERIC_OUTBOUND_SECRET, outboundUrl: `http://127.0.0.1:${port}/hook` }),
    attach(target) {
      talon = target;
    },
    async post(body, headers = {}) {
      const response = await fetch(webhookUrl(), { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers };
    },
    async postSigned(payload, signing = {}) {
      const body = signing.raw && typeof payload === "string" ? payload : JSON.stringify(payload);
      const timestamp = signing.timestamp ?? Math.floor(Date.now() / 1000);
      return endpoint.post(body, {
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: sign(signing.secret ?? GENERIC_SECRET, timestamp, body),
      });
    },
    async inject(message: FakeInbound) {
      const id = `in-${++sequence}`;
      const payload = {
        id,
        chatType: message.chatType,
        chatId: message.chatId,
        ...(message.threadId ? { threadId: message.threadId } : {}),
        ...(message.replyTo ? { replyTo: message.replyTo } : {}),
        sender: { id: message.senderId, ...(message.senderName ? { name: message.senderName } : {}) },
        text: message.text,
        ...(message.chatType === "direct" ? {} : { wasMentioned: message.mentionBot === true }),
      };
      const result = await endpoint.postSigned(payload);
      if (result.status !== 200) throw new Error(`webhook answered ${result.status}: ${JSON.stringify(result.json)}`);
      delivered.set(id, payload);
      return id;
    },
    async redeliver(id) {
      const result = await endpoint.postSigned(delivered.get(id));
      if (result.status !== 200 || result.json.status !== "duplicate")
        throw new Error(`redelivery answered ${result.status}: ${JSON.stringify(result.json)}`);
    },
    async injectOversized(chat, length) {
      const id = `big-${++sequence}`;
      const result = await endpoint.postSigned({
        id,
        chatType: chat.chatType,
        chatId: chat.chatId,
        sender: { id: chat.senderId },
        text: "x".repeat(length),
      });
      if (result.status !== 400) throw new Error(`oversized message answered ${result.status}, expected 400`);
      return id;
    },
    async echoLastSent() {
      const last = sent.at(-1);
      if (!last) throw new Error("nothing sent yet");
      // The receiving system reflects Talon's own message back with the id it gave it.
      const result = await endpoint.postSigned({
        id: last.messageId,
        chatType: "direct",
        chatId: last.chatId,
        sender: { id: "talon-bot" },
        text: last.text,
      });
      if (result.status !== 200 || result.json.status !== "echo")
        throw new Error(`echo answered ${result.status}: ${JSON.stringify(result.json)}`);
    },
    sent: () => sent,
    sendAttempts: () => attempts,
    rateLimitNext(count, retryAfterMs) {
      rateLimited = { count, retryAfterMs };
    },
    failNext(count) {
      failing = count;
      acceptBeforeFailing = 0;
    },
    acceptThenFail(accept, fail) {
      acceptBeforeFailing = accept;
      failing = fail;
    },
  };
  return endpoint;
}
