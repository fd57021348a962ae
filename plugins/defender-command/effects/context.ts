/**
 * What the effect classifiers report to. Each simple command is classified by what it does
 * (runs code, opens the network, reads or writes sensitive paths, changes privilege, tampers
 * with history, logs or agents, destroys data, rewrites shared history, persists); effects that
 * are risky alone become hits at once, and those whose risk comes from a combination (a secret
 * read and a network send anywhere in the action) are recorded as facts for the judge
 * (judge.ts). A classifier can also hand text or an argv to the analyser (`sh -c '…'`, `eval`,
 * a heredoc fed to a shell, `find -exec …`, code run by an interpreter).
 */
import type { VarEnv, Word } from "../ir.ts";

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
  bind_shell: { tag: "bind_shell", title: "bind shell" },
  credential_exfiltration: { tag: "exfiltration", title: "credential exfiltration" },
  system_tamper: { tag: "system_tamper", title: "system tampering" },
  persistence: { tag: "persistence", title: "persistence" },
  kill_all: { tag: "disruption", title: "kills every process" },
  privilege_escalation: { tag: "privilege_escalation", title: "privilege escalation" },
  shell_escape: { tag: "shell_escape", title: "shell escape from another program" },
  credential_read: { tag: "credential_access", title: "credential access" },
  sensitive_upload: { tag: "exfiltration", title: "upload of sensitive data" },
  security_disable: { tag: "defense_evasion", title: "security controls, history or logs tampered with" },
  history_rewrite: { tag: "history_rewrite", title: "shared history rewritten" },
  destructive_operation: { tag: "destructive_operation", title: "destructive operation" },
  container_escape: { tag: "container_escape", title: "container escape" },
  library_load: { tag: "library_load", title: "shared library loaded" },
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

/** One thing a classifier found. */
export interface Hit {
  readonly rule: RuleId;
  readonly severity: Severity;
  readonly reason: string;
  /** The command text the classifier looked at. */
  readonly segment: string;
}

/** Effects whose risk depends on what else the action does (judged in judge.ts). */
export type FactKind = "secret_read" | "network_send";

/** A recorded fact. */
export interface Fact {
  readonly kind: FactKind;
  readonly detail: string;
  readonly segment: string;
}

/** What a nested analysis found out that the caller needs. */
export interface NestedResult {
  /** The nested script opens an interactive shell (`/bin/sh`, `sh -i`, `exec bash`). */
  readonly interactiveShell: boolean;
}

/** How a nested script runs. */
export interface NestedOptions {
  /** It runs as another user (inside `sudo`, `su -c`, a privileged program). */
  readonly privileged?: boolean;
}

/** Handed to every classifier. */
export interface RuleContext {
  hit(rule: RuleId, severity: Severity, reason: string, segment: string): void;
  /** Record an effect judged in combination with the rest of the action. */
  fact(kind: FactKind, detail: string, segment: string): void;
  /** Analyse `text` as a shell script run by the command (`sh -c`, `eval`, `ssh host …`). */
  nested(text: string, via: string, options?: NestedOptions): NestedResult;
  /** Analyse an argv another command runs (`find -exec`, `xargs`, `docker run IMAGE …`). */
  argv(words: readonly Word[], via: string, cwd?: string, options?: NestedOptions): NestedResult;
  /** URLs of well-known installers (`https://sh.rustup.rs`): piping them to a shell is reviewed, not blocked. */
  knownInstaller(url: string): boolean;
  /** The script being classified runs as another user (nested inside `sudo sh -c`, `su -c`). */
  readonly privileged: boolean;
  /** Variables known in the script (code that reads `$LFILE` or `os.getenv("LFILE")` reads its value). */
  readonly env: VarEnv | undefined;
}
