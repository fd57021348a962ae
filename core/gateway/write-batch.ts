/**
 * Coalesce the frames a connection sends in one event-loop turn into one write: the socket is
 * corked when a client's frames arrive and uncorked once, in the check phase of the same turn,
 * after every synchronous answer (and the promise-based ones that settled meanwhile) was queued.
 * With several requests in flight per connection this turns N `writev` calls into one.
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
    setImmediate(flush);
  }
}
