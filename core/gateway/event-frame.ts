/**
 * Event frames are fanned out to many connections that differ only in `seq`. The frame is
 * serialised once, up to `"seq":`, and each connection appends its own number and `}`.
 */

/** `{"type":"event","event":<name>,"payload":<payload>,"seq":` — throws when the payload is not JSON-serialisable. */
export function encodeEventPrefix(event: string, payload: unknown): string {
  const body = payload === undefined ? undefined : JSON.stringify(payload);
  return body === undefined
    ? `{"type":"event","event":${JSON.stringify(event)},"seq":`
    : `{"type":"event","event":${JSON.stringify(event)},"payload":${body},"seq":`;
}

/** The full frame for one connection. */
export function withSeq(prefix: string, seq: number): string {
  return `${prefix}${seq}}`;
}

/** Events a slow client may miss (upstream's `dropIfSlow` set): state it can re-read. */
export const ALWAYS_DROPPABLE_EVENTS: ReadonlySet<string> = new Set(["tick", "presence", "health", "heartbeat"]);
