/**
 * Bounds on what one action may carry. Text beyond them is cut, and the action is marked
 * `truncated` so the verdict is floored at review: what was not scanned is never allowed silently.
 */

/** Deepest JSON nesting the extractor walks; deeper values are not examined (action marked truncated). */
export const EXTRACT_MAX_DEPTH = 64;
/** Most JSON nodes the extractor visits per frame. */
export const EXTRACT_MAX_NODES = 20_000;
/** Most text fields kept per action. */
export const ACTION_MAX_FIELDS = 256;
/** Longest text field kept (UTF-16 code units); the seed's oversized-prompt mark is at 32,000 bytes. */
export const ACTION_MAX_FIELD_CHARS = 256 * 1024;
/** Longest request id kept (ids appear in events, logs and quarantine file names). */
export const ACTION_MAX_ID_CHARS = 256;
/** Longest session key kept (upstream's `chat.send` limit). */
export const ACTION_MAX_SESSION_KEY_CHARS = 512;
/** Longest tool, channel, source or routing string kept. */
export const ACTION_MAX_NAME_CHARS = 256;
/** Longest workspace directory kept in an action's context. */
export const ACTION_MAX_PATH_CHARS = 4096;
