/**
 * The seed's prompt and command guards (openclaw-agent-rs, seed-defender §3.4 and §3.5), ported
 * faithfully as a baseline for the detector bench: same patterns, scores, substring checks and
 * allow-prefix rule, including the defects Talon fixes (literal matching, startsWith prefixes,
 * +20 for every command off the allow list).
 */
import { SEED_DEFAULTS, compileSeedPatterns } from "@talon/sdk";

/** What a seed guard returns: saturating score capped at 100, tags and reasons in order. */
export interface SeedVerdict {
  score: number;
  tags: string[];
  reasons: string[];
}

/** ASCII-only lowercase, as Rust's `to_ascii_lowercase`. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 32));
}

/** Rust's `trim()` removes Unicode whitespace at both ends; JS `trim()` is equivalent here. */
function rustTrim(text: string): string {
  return text.trim();
}

/** The seed's prompt guard (§3.4) with the built-in default patterns unless others are given. */
export function createSeedPromptGuard(patterns: readonly string[] = SEED_DEFAULTS.promptInjectionPatterns) {
  const compiled = compileSeedPatterns(patterns, "security.prompt_injection_patterns");
  return (prompt: string): SeedVerdict => {
    let score = 0;
    const tags: string[] = [];
    const reasons: string[] = [];
    for (const pattern of compiled) {
      if (pattern.regex.test(prompt)) {
        score += 18;
        tags.push("prompt_injection");
        reasons.push(`prompt matched risky pattern \`${pattern.source}\``);
      }
    }
    const lower = asciiLower(prompt);
    if (lower.includes("system prompt") || lower.includes("developer instructions")) {
      score += 14;
      tags.push("prompt_exfiltration");
      reasons.push("prompt asks for hidden instruction disclosure");
    }
    if (lower.includes("without asking") || lower.includes("do not ask for approval")) {
      score += 14;
      tags.push("approval_bypass");
      reasons.push("prompt attempts to bypass approval flow");
    }
    if (Buffer.byteLength(prompt, "utf8") > 32000) {
      score += 8;
      tags.push("oversized_payload");
      reasons.push("prompt payload is unusually large");
    }
    return { score: Math.min(score, 100), tags, reasons };
  };
}

/** The seed's command guard (§3.5) with the built-in default patterns and allow prefixes. */
export function createSeedCommandGuard(
  patterns: readonly string[] = SEED_DEFAULTS.blockedCommandPatterns,
  allowedPrefixes: readonly string[] = SEED_DEFAULTS.allowedCommandPrefixes,
) {
  const compiled = compileSeedPatterns(patterns, "security.blocked_command_patterns");
  return (command: string): SeedVerdict => {
    let score = 0;
    const tags: string[] = [];
    const reasons: string[] = [];
    for (const pattern of compiled) {
      if (pattern.regex.test(command)) {
        score += 80;
        tags.push("blocked_command_pattern");
        reasons.push(`command matched blocked pattern \`${pattern.source}\``);
      }
    }
    const normalized = asciiLower(rustTrim(command));
    if (normalized.includes("sudo ")) {
      score += 18;
      tags.push("privilege_escalation");
      reasons.push("command requests elevated privileges");
    }
    if (normalized.includes("curl ") && normalized.includes("|")) {
      score += 22;
      tags.push("remote_pipe_exec");
      reasons.push("command pipes remote content to shell");
    }
    if (normalized.includes("wget ") && normalized.includes("|")) {
      score += 22;
      tags.push("remote_pipe_exec");
      reasons.push("command pipes remote download to shell");
    }
    if (allowedPrefixes.length > 0) {
      const start = command.replace(/^\s+/, "");
      if (!allowedPrefixes.some((prefix) => start.startsWith(prefix))) {
        score += 20;
        tags.push("not_in_allowlist");
        reasons.push("command prefix not in allowlist");
      }
    }
    return { score: Math.min(score, 100), tags, reasons };
  };
}
