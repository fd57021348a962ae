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
