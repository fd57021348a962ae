/**
 * Group activation (seed-defender §9.3, §8.5): in `mention` mode a group message that could
 * have mentioned us and did not is ignored, unless it is a bypass command (`/reset`, ...) from an
 * authorised sender. The seed let every group member bypass (commandAuthorized hard-wired true,
 * seed §15 item 11); here a sender is authorised when a trusted producer (a channel driver) says
 * so in `routing.senderAuthorized`, or when `runtime.command_authorized_senders` lists it.
 */
import { isGroupKind, parseSessionKey, type Action } from "@talon/sdk";

/** Commands that may bypass mention gating (seed §9.3). */
export const BYPASS_COMMANDS: ReadonlySet<string> = new Set(["new", "reset", "help", "stop", "abort", "cancel"]);

const GROUP_HINT_KEYS = ["chatType", "chat_type", "chat", "roomType", "room_type"] as const;

/** The runtime settings activation reads. */
export interface ActivationSettings {
  mode: "mention" | "always";
  /** `runtime.command_authorized_senders`: `channel:senderId` or bare `senderId`. */
  authorizedSenders: readonly string[];
}

/** Pass, or ignore with the reason. */
export type ActivationResult = { ignored: false } | { ignored: true; reason: string };

const PASS: ActivationResult = Object.freeze({ ignored: false });

/** A group context: the session key says group/channel, or the routing or raw root says so (`room` counts). */
export function isGroupContext(action: Action): boolean {
  const key = action.sessionKey;
  // Only `agent:…:group:…` / `agent:…:channel:…` keys parse as groups; skip the parse otherwise.
  if ((key.includes(":group:") || key.includes(":channel:")) && isGroupKind(parseSessionKey(key).kind)) return true;
  if (action.routing.chatType === "group" || action.routing.chatType === "channel") return true;
  const raw = action.raw;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return false;
  for (const key of GROUP_HINT_KEYS) {
    const value = (raw as Record<string, unknown>)[key];
    if (typeof value !== "string") continue;
    const hint = value.trim().toLowerCase();
    return hint === "group" || hint === "channel" || hint === "room";
  }
  return false;
}

/**
 * The text starts with `/` and its first word (leading slashes stripped, lowercased, a `@bot`
 * suffix dropped) is a bypass command: `/reset`, `//stop now`, `/help@my_bot`.
 */
export function isControlCommand(text: string | undefined): boolean {
  if (text === undefined) return false;
  const trimmed = text.trimStart();
  if (!trimmed.startsWith("/")) return false;
  const word = trimmed.replace(/^\/+/, "").split(/\s/, 1)[0]!.toLowerCase();
  const at = word.indexOf("@");
  return BYPASS_COMMANDS.has(at === -1 ? word : word.slice(0, at));
}

/** May this sender use bypass commands? */
export function isSenderAuthorized(action: Action, authorizedSenders: readonly string[]): boolean {
  if (action.routing.senderAuthorized === true) return true;
  const sender = action.routing.senderId;
  if (sender === undefined || sender === "" || authorizedSenders.length === 0) return false;
  const qualified = action.channel ? `${action.channel}:${sender}` : undefined;
  return authorizedSenders.some((entry) => entry === sender || entry === qualified);
}

/** Should the scheduler ignore this action (seed §8.5 `shouldSkip`)? */
export function checkActivation(action: Action, settings: ActivationSettings): ActivationResult {
  if (settings.mode === "always" || !isGroupContext(action)) return PASS;
  const routing = action.routing;
  if (routing.canDetectMention !== true) return PASS;
  const mentioned = routing.wasMentioned === true;
  if (mentioned) return PASS;
  const control = isControlCommand(action.command) || isControlCommand(action.prompt);
  if (control && routing.hasAnyMention !== true) {
    if (isSenderAuthorized(action, settings.authorizedSenders)) return PASS;
    return {
      ignored: true,
      reason: "group message without a mention: bypass command from a sender not in runtime.command_authorized_senders",
    };
  }
  return { ignored: true, reason: "group message without a mention (runtime.group_activation_mode = mention)" };
}
