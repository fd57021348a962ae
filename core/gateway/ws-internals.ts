/**
 * Everything Talon does with `ws` internals, in one file: the raw socket under a WebSocket
 * (single-write text frames, corking), and the receiver's frame size limit. These are private
 * fields of `ws`; test/gateway/ws-internals.test.ts pins the installed `ws` version and checks
 * each field on a real connection, so an upgrade of `ws` is re-checked, not discovered in
 * production.
 */
import type { WebSocket } from "ws";

/** The `ws` version these internals were checked against (test/gateway/ws-internals.test.ts). */
export const WS_INTERNALS_VERSION = "8.23.0";

/** The TCP socket under a server-side WebSocket (`ws`'s private `_socket`). */
export function rawSocket(ws: WebSocket): (Corkable & FrameSink) | undefined {
  return (ws as unknown as { _socket?: Corkable & FrameSink })._socket;
}

/** Send a text message in one write when the raw socket is there; otherwise through `ws`. */
export function sendTextFrame(ws: WebSocket, text: string): void {
  const socket = rawSocket(ws);
  if (socket) writeTextFrame(socket, text);
  else ws.send(text);
}

/** Cork the connection's socket until the end of this turn (see batchWrites). */
export function batchSocketWrites(ws: WebSocket): void {
  batchWrites(rawSocket(ws));
}

/**
 * Coalesce the frames a connection answers one TCP read with into one write: the socket is
 * corked when a client's frames arrive and uncorked on the next tick, once ws has emitted every
 * frame of that read and the synchronous answers were queued. With several requests in flight
 * per connection this turns N `writev` calls into one. (`process.nextTick`, not `setImmediate`:
 * an immediate would cost a lock-step client an extra, non-blocking poll of the event loop.)
 */

interface Corkable {
  cork(): void;
  uncork(): void;
}

const corked = new Set<Corkable>();
let scheduled = false;

function flush(): void {
  scheduled = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/** Hold `socket`'s writes until the end of this turn (idempotent within a turn). */
export function batchWrites(socket: Corkable | undefined): void {
  if (!socket || corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (!scheduled) {
    scheduled = true;
    process.nextTick(flush);
  }
}

interface FrameSink {
  write(chunk: Buffer): boolean;
}

/**
 * One unmasked text frame (RFC 6455 §5.2) written straight to the socket in a single write,
 * instead of ws's header and payload writes. Safe because the server never compresses
 * (perMessageDeflate off): ws then writes in call order and queues nothing of its own.
 */
export function writeTextFrame(socket: FrameSink, text: string): void {
  const length = Buffer.byteLength(text);
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81; // FIN, text
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, header, "utf8");
  socket.write(frame);
}

/**
 * Raise the frame size limit once authenticated. ws keeps the limit on its receiver; the server
 * starts every connection at the pre-auth limit so unauthenticated peers cannot make it buffer
 * large frames. (Private ws field, covered by a test of both limits.)
 */
export function setReceiverLimit(ws: WebSocket, maxPayload: number): void {
  const receiver = (ws as unknown as { _receiver?: { _maxPayload?: number } })._receiver;
  if (receiver && typeof receiver._maxPayload === "number") receiver._maxPayload = maxPayload;
}
