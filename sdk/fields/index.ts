/**
 * The bounded walk that turns any JSON (a frame, a tool call's params) into an action's text
 * fields, and the seed's key tables and JSON readings it is built on. One implementation for the
 * frame extractor and for `security.evaluate`'s tool calls.
 */
export { collectFields, shellJoin, type Collected } from "./collect.ts";
export { boolish, firstTopLevelText, pointerSegment, scalarText, sortedKeys } from "./json.ts";
export * from "./keys.ts";
export { declaredRole, roleOfKey, rootRole } from "./role.ts";
