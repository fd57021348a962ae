/**
 * Mention gating (seed-defender §8.5, seed-gateway §5.3): in groups and channels the bot only
 * answers messages that mention it. A control command (`/reset`, `/stop`, ...) may bypass the
 * mention, but only from an authorised sender: the seed let anyone bypass (it hard-coded
 * `commandAuthorized = true`), which let any group member reset a session.
 */

/** Commands that may bypass the mention requirement (seed §9.3). */
export const BYPASS_COMMANDS: ReadonlySet<string> = new Set(["new", "reset", "help", "stop", "abort", "cancel"]);

export interface MentionGateInput {
  isGroup: boolean;
  requireMention: boolean;
  /** The platform can tell whether the bot was mentioned. */
  canDetectMention: boolean;
  wasMentioned: boolean;
  /** A reply to one of the bot's own messages counts as a mention. */
  implicitMention: boolean;
  /** The message mentions someone (not necessarily the bot). */
  hasAnyMention: boolean;
  allowTextCommands: boolean;
  /** The sender may use control commands. */
  commandAuthorized: boolean;
  hasControlCommand: boolean;
}

export interface MentionGateResult {
  effectiveWasMentioned: boolean;
  shouldSkip: boolean;
  shouldBypassMention: boolean;
}

/** The seed's gating rule with bypass. */
export function resolveMentionGate(input: MentionGateInput): MentionGateResult {
  const shouldBypassMention =
    input.isGroup &&
    input.requireMention &&
    !input.wasMentioned &&
    !input.hasAnyMention &&
    input.allowTextCommands &&
    input.commandAuthorized &&
    input.hasControlCommand;
  const effectiveWasMentioned = input.wasMentioned || input.implicitMention || shouldBypassMention;
  const shouldSkip = input.isGroup && input.requireMention && input.canDetectMention && !effectiveWasMentioned;
  return { effectiveWasMentioned, shouldSkip, shouldBypassMention };
}

/** `/reset`, `//stop now`, `/help@my_bot` → true (first word, lowercased, without a bot suffix). */
export function hasControlCommand(text: string): boolean {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith("/")) return false;
  const word = trimmed.replace(/^\/+/, "").split(/\s/, 1)[0]!.toLowerCase();
  const command = word.includes("@") ? word.slice(0, word.indexOf("@")) : word;
  return BYPASS_COMMANDS.has(command);
}
