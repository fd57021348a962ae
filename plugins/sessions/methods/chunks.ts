/**
 * How many messages a text becomes on a channel (sessions.send `chunkCount`, seed §2.2): 2000
 * characters a chunk on Discord, 4000 elsewhere; WebChat splits blank-line paragraphs first.
 * A count only; the core channel runtime does the real chunking when a driver sends.
 */

/** Characters per chunk by channel. */
export const CHUNK_LIMIT_CHARS: Readonly<Record<string, number>> = { discord: 2000 };
const DEFAULT_CHUNK_CHARS = 4000;

function chunksOf(text: string, limit: number): number {
  return Math.max(1, Math.ceil([...text].length / limit));
}

/** Number of chunks of `text` on `channel` (at least 1). */
export function chunkCount(text: string, channel: string | undefined): number {
  const limit = (channel && CHUNK_LIMIT_CHARS[channel]) || DEFAULT_CHUNK_CHARS;
  if (channel !== "webchat") return chunksOf(text, limit);
  const paragraphs = text.split(/\n\s*\n/).filter((part) => part.trim() !== "");
  return Math.max(1, paragraphs.reduce((sum, part) => sum + chunksOf(part, limit), 0));
}
