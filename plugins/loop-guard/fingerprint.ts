/**
 * The identity of a tool call for loop detection: the tool and every text field's path and
 * value, leaving out fields that change on every call (ids, timestamps, nonces). The seed hashed
 * only five fields, so two different writes to one file looked identical (§15 item 16).
 */
import { createHash } from "node:crypto";
import type { Action } from "@talon/sdk";

const VOLATILE =
  /(?:^|\/)(?:id|ids|requestid|request_id|runid|run_id|messageid|message_id|ts|timestamp|time|date|seq|nonce|idempotencykey|idempotency_key|traceid|trace_id|spanid)$/i;

/** Hex SHA-1 of the call's stable content. */
export function fingerprintOf(action: Action): string {
  const hash = createHash("sha1").update(action.tool ?? "");
  for (const field of action.fields) {
    if (VOLATILE.test(field.path)) continue;
    hash.update("\0").update(field.path).update("\0").update(field.value);
  }
  return hash.digest("hex");
}
