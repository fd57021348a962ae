/**
 * The command model the rules read: every simple command of a script (including those inside
 * lists, subshells, loops, functions, `$(…)`, backticks and `<(…)`), with its words resolved as
 * far as a static reading can (quotes removed, escapes decoded, known variables substituted),
 * its redirects, what feeds its stdin, and the pipeline it sits in.
 */

/** One shell word after static resolution. */
export interface Word {
  /** Quotes removed, escapes and `$'…'` decoded, known variables substituted. */
  readonly value: string;
  /** The word still contains an expansion that could not be resolved (`$DIR`, `$(date)`). */
  readonly dynamic: boolean;
  /** Other values the word may take (a `for` variable bound to several words). */
  readonly alternatives?: readonly string[];
  /** Scripts of `$(…)`, backticks and `<(…)` inside the word. */
  readonly substitutions: readonly Script[];
  /** The word is a process substitution `<(…)` / `>(…)`. */
  readonly process?: boolean;
  /** Decoded from `$'\x..'` or octal escapes: hidden from a plain reading. */
  readonly escaped?: boolean;
  /** The value comes from decoded data (`$(… | base64 -d)`) or the network (`$(curl …)`) and is not known statically. */
  readonly tainted?: Taint;
  /** Source text. */
  readonly raw: string;
}

/** Where an unknown value came from: decoded data or the network. */
export type Taint = "decoded" | "fetched";

/** Variables known while walking a script: values (`null` = assigned something unknown) and taints. */
export interface VarEnv {
  readonly vars: Map<string, readonly string[] | null>;
  readonly taint: Map<string, Taint>;
}

/** A redirection: `> file`, `>> file`, `2>&1`, `<& 196`, `< /dev/tcp/…`. */
export interface Redirect {
  readonly op: string;
  readonly target?: Word;
}

/** One simple command as written (before wrappers such as `sudo` are unwrapped). */
export interface SimpleCommand {
  readonly words: readonly Word[];
  /** `NAME=value` prefixes of this command only. */
  readonly assignments: readonly (readonly [name: string, value: Word])[];
  readonly redirects: readonly Redirect[];
  /** Text a heredoc or herestring feeds to stdin. */
  readonly stdinText?: string;
  /** Source text of the command. */
  readonly text: string;
  /** Working directory set by an earlier `cd` in the same script, when known. */
  readonly cwd?: string;
  /** The pipeline the command is a stage of, and its stage index. */
  pipeline?: Pipeline;
  stage?: number;
}

/** Two or more commands joined by `|`; a stage may hold several commands (`(a; b) | c`). */
export interface Pipeline {
  readonly stages: SimpleCommand[][];
}

/** A function definition: `f() { … }`. */
export interface FunctionDef {
  readonly name: string;
  readonly commands: readonly SimpleCommand[];
  /** The body runs something in the background (`&`). */
  readonly background: boolean;
  readonly text: string;
}

/** A parsed script. */
export interface Script {
  readonly commands: SimpleCommand[];
  readonly pipelines: Pipeline[];
  readonly functions: FunctionDef[];
  /** Redirections without a command (`> /etc/passwd`). */
  readonly bareRedirects: Redirect[];
  /** `NAME=value` statements, in order (they also feed variable resolution). */
  readonly assignments: (readonly [name: string, value: Word])[];
  /** The parser reported a syntax error somewhere. */
  readonly hasError: boolean;
  /** The walk stopped at its node budget. */
  truncated: boolean;
  /** Variables known at the end of the script (nested scripts such as `bash -c '…'` inherit them). */
  env?: VarEnv;
  /** The script's text, when it spans several lines (lines typed into an interactive program are read from it). */
  source?: string;
}
