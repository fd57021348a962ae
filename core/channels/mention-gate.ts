/**
 * Mention gating (seed-defender §8.5, seed-gateway §5.3): in groups and channels the bot only
 * answers messages that mention it. A control command (`/reset`, `/stop`, ...) may bypass the
 * mention, but only from an authorised sender: the seed let anyone bypass (it hard-coded
 * `commandAuthorized = true`), which let any group member reset a session. The bypass commands
 * and their parsing are the scheduler's (`isControlCommand`), so both gates agree.
 */
export { isControlCommand as hasControlCommand } from "../scheduler/activation.ts";

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
  /** The sender may use control commands. */
  commandAuthorized: boolean;
  hasControlCommand: boolean;
}

export interface MentionGateResult {
  effectiveWasMentioned: boolean;
  shouldSkip: boolean;
}

/** The seed's gating rule with bypass. */
export function resolveMentionGate(input: MentionGateInput): MentionGateResult {
  const bypass =
    input.isGroup &&
    input.requireMention &&
    !input.wasMentioned &&
    !input.hasAnyMention &&
    input.commandAuthorized &&
    input.hasControlCommand;
  const effectiveWasMentioned = input.wasMentioned || input.implicitMention || bypass;
  const shouldSkip = input.isGroup && input.requireMention && input.canDetectMention && !effectiveWasMentioned;
  return { effectiveWasMentioned, shouldSkip };
}
