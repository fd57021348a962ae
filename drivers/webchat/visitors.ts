/**
 * Visitors of the chat page: a public id (the chat id, visible to operators) and a secret token
 * (`<id>.<HMAC(secret, id)>`, verified without any table, so tokens survive a restart when the
 * secret is kept in the store). Each visitor has a bounded backlog of events for reconnects and
 * a few live event streams; the number of visitors kept in memory is bounded too (LRU).
 */
import { createHmac, randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { secretsEqual } from "@talon/sdk";

/** Events remembered per visitor (replayed to a reconnecting page). */
const BACKLOG_MAX = 200;
/** Open event streams per visitor (tabs). */
const STREAMS_PER_VISITOR = 5;
const VISITOR_ID = /^[a-f0-9]{32}$/;

/** One event pushed to a visitor's page. */
export interface VisitorEvent {
  seq: number;
  type: "message" | "decision" | "edit" | "delete" | "typing";
  [field: string]: unknown;
}

interface Visitor {
  id: string;
  seq: number;
  backlog: VisitorEvent[];
  streams: Set<ServerResponse>;
}

/** Is this a visitor id this driver could have issued? */
export function isVisitorId(value: string): boolean {
  return VISITOR_ID.test(value);
}

export class Visitors {
  #secret: string | undefined;
  readonly #max: number;
  readonly #visitors = new Map<string, Visitor>();

  constructor(maxVisitors: number) {
    this.#max = maxVisitors;
  }

  /** Set the token secret (loaded from the store at start); until then nothing is issued or accepted. */
  useSecret(secret: string): void {
    this.#secret = secret;
  }

  /** A secret is set: sessions can be issued and verified. */
  get ready(): boolean {
    return this.#secret !== undefined;
  }

  /** A new visitor and its token. */
  issue(): { visitorId: string; token: string } {
    const visitorId = randomBytes(16).toString("hex");
    this.#get(visitorId);
    return { visitorId, token: `${visitorId}.${this.#sign(visitorId)}` };
  }

  /** The visitor id of a valid token, or undefined. */
  verify(token: string | undefined): string | undefined {
    if (!token) return undefined;
    const [id, signature] = token.split(".", 2);
    if (!id || !signature || !isVisitorId(id) || !this.ready) return undefined;
    return secretsEqual(signature, this.#sign(id)) ? id : undefined;
  }

  /** Push an event to a visitor's streams and backlog. Returns its sequence number. */
  push(visitorId: string, event: Omit<VisitorEvent, "seq">): number {
    const visitor = this.#get(visitorId);
    const full = { ...event, seq: ++visitor.seq } as VisitorEvent;
    visitor.backlog.push(full);
    if (visitor.backlog.length > BACKLOG_MAX) visitor.backlog.shift();
    for (const stream of visitor.streams) writeEvent(stream, full);
    return full.seq;
  }

  /** Apply `change` to backlog entries (edits and deletes keep a reload consistent). */
  update(visitorId: string, change: (event: VisitorEvent) => void): void {
    for (const event of this.#visitors.get(visitorId)?.backlog ?? []) change(event);
  }

  /** Attach a stream, replaying events after `lastSeq`; false when the visitor has too many. */
  attach(visitorId: string, stream: ServerResponse, lastSeq: number): boolean {
    const visitor = this.#get(visitorId);
    if (visitor.streams.size >= STREAMS_PER_VISITOR) return false;
    visitor.streams.add(stream);
    for (const event of visitor.backlog) if (event.seq > lastSeq) writeEvent(stream, event);
    stream.on("close", () => visitor.streams.delete(stream));
    return true;
  }

  /** Streams open across all visitors. */
  get streamCount(): number {
    let count = 0;
    for (const visitor of this.#visitors.values()) count += visitor.streams.size;
    return count;
  }

  /** End every stream (the driver stops). */
  closeAll(): void {
    for (const visitor of this.#visitors.values()) {
      for (const stream of visitor.streams) stream.end();
      visitor.streams.clear();
    }
  }

  /** Keep-alive comment on every stream. */
  ping(): void {
    for (const visitor of this.#visitors.values()) for (const stream of visitor.streams) stream.write(": ping\n\n");
  }

  #sign(visitorId: string): string {
    if (this.#secret === undefined) throw new Error("webchat visitors have no secret yet");
    return createHmac("sha256", this.#secret).update(visitorId).digest("base64url");
  }

  #get(visitorId: string): Visitor {
    let visitor = this.#visitors.get(visitorId);
    if (visitor) {
      // Most recently used last: the map's first entry is the one to forget.
      this.#visitors.delete(visitorId);
      this.#visitors.set(visitorId, visitor);
      return visitor;
    }
    visitor = { id: visitorId, seq: 0, backlog: [], streams: new Set() };
    this.#visitors.set(visitorId, visitor);
    if (this.#visitors.size > this.#max) {
      for (const [id, candidate] of this.#visitors) {
        if (candidate.streams.size > 0) continue; // never forget a visitor who is watching
        this.#visitors.delete(id);
        break;
      }
    }
    return visitor;
  }
}

function writeEvent(stream: ServerResponse, event: VisitorEvent): void {
  stream.write(`id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`);
}
