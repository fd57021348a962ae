/**
 * What a rule can do: report a hit, hand a piece of text to the analyser as a nested script
 * (`sh -c '…'`, `eval`, a heredoc fed to a shell, a decoded base64 payload), or analyse an argv
 * that another command runs (`find -exec …`, `docker run IMAGE …`).
 */
import type { Word } from "../ir.ts";

/** Severity of a hit: block adds the block score, review adds the review score and a review floor. */
export type Severity = "block" | "review";

/** Rule ids, the tag each adds and what it means. */
export const RULES = {
  destructive_delete: { tag: "destructive_delete", title: "destructive delete" },
  disk_wipe: { tag: "disk_wipe", title: "disk wipe" },
  remote_code_exec: { tag: "remote_pipe_exec", title: "remote code execution" },
  decode_exec: { tag: "obfuscated_exec", title: "decoded payload executed" },
  fork_bomb: { tag: "fork_bomb", title: "fork bomb" },
  reverse_shell: { tag: "reverse_shell", title: "reverse shell" },
  credential_exfiltration: { tag: "exfiltration", title: "credential exfiltration" },
  system_tamper: { tag: "system_tamper", title: "system tampering" },
  persistence: { tag: "persistence", title: "persistence" },
  kill_all: { tag: "disruption", title: "kills every process" },
  privilege_escalation: { tag: "privilege_escalation", title: "privilege escalation" },
  credential_read: { tag: "credential_access", title: "credential access" },
  sensitive_upload: { tag: "exfiltration", title: "upload of sensitive data" },
  security_disable: { tag: "defense_evasion", title: "security controls disabled" },
  destructive_operation: { tag: "destructive_operation", title: "destructive operation" },
  container_escape: { tag: "container_escape", title: "container escape" },
  inline_code_exec: { tag: "inline_code_exec", title: "inline code runs commands" },
  obfuscated_command: { tag: "obfuscation", title: "obfuscated command" },
  insecure_permissions: { tag: "insecure_permissions", title: "insecure permissions" },
  network_listener: { tag: "network_listener", title: "network listener" },
  parse_error: { tag: "parse_error", title: "unparsable command" },
  analysis_limit: { tag: "analysis_limit", title: "command too large or complex" },
  blocked_command_pattern: { tag: "blocked_command_pattern", title: "configured blocked pattern" },
  not_in_allowlist: { tag: "not_in_allowlist", title: "not in the allow list" },
} as const;

/** A rule id. */
export type RuleId = keyof typeof RULES;

/** One thing a rule found. */
export interface Hit {
  readonly rule: RuleId;
  readonly severity: Severity;
  readonly reason: string;
  /** The command text the rule looked at. */
  readonly segment: string;
}

/** Handed to every rule. */
export interface RuleContext {
  hit(rule: RuleId, severity: Severity, reason: string, segment: string): void;
  /** Analyse `text` as a shell script run by the command (`sh -c`, `eval`, `ssh host …`). */
  nested(text: string, via: string): void;
  /** Analyse an argv another command runs (`find -exec`, `xargs`, `docker run IMAGE …`); `{}` stands for `placeholder`. */
  argv(words: readonly Word[], via: string, cwd?: string): void;
  /** URLs of well-known installers (`https://sh.rustup.rs`): piping them to a shell is reviewed, not blocked. */
  knownInstaller(url: string): boolean;
}
