/**
 * State a script builds as it runs, read in order: the values a command word can take (every
 * value of a `for` loop, an unquoted variable split into words), the files the script writes
 * with known content (`echo … > $TF`, `cat > f <<EOF`, `… | base64 -d > f`) so that a later
 * command that reads, runs or installs them is judged with that content, and the interactive
 * program (pager, editor, REPL, file-transfer client) whose prompt the following lines are typed
 * into. Everything is bounded: variants per command, files remembered, content length.
 */
import type { SimpleCommand, Word } from "./ir.ts";
import { normalizePath } from "./paths.ts";
import { pathTokens } from "./sensitive.ts";

/** Most variants of one command (the product of its words' values). */
const MAX_VARIANTS = 16;
/** Most written files remembered per script. */
const MAX_FILES = 32;
/** Longest content remembered per file. */
const MAX_CONTENT = 32768;

function hasVariants(word: Word): boolean {
  if (word.alternatives !== undefined) return word.alternatives.length > 1 || splitsUnquoted(word);
  return word.raw.charCodeAt(0) === 36 /* $ */ && splitsUnquoted(word);
}

/** `$CMD` unquoted holding `rm -rf /` is three words when the shell runs it. */
function splitsUnquoted(word: Word): boolean {
  return !word.dynamic && /^\$\{?\w+\}?$/.test(word.raw) && /\s/.test(word.value.trim());
}

/** The commands a simple command can be once its words take each of their values (bounded); undefined when it has only one. */
export function variantsOf(command: SimpleCommand): SimpleCommand[] | undefined {
  if (!command.words.some(hasVariants)) return undefined;
  let lists: Word[][] = [[]];
  for (const word of command.words) {
    const choices: Word[][] = [];
    const values = word.alternatives && word.alternatives.length > 1 ? word.alternatives : [word.value];
    for (const value of values) {
      const single: Word = { ...word, value, alternatives: undefined };
      choices.push(
        splitsUnquoted(single)
          ? value
              .trim()
              .split(/\s+/)
              .map((part) => ({ ...single, value: part }))
          : [single],
      );
    }
    const next: Word[][] = [];
    for (const list of lists) for (const choice of choices) if (next.length < MAX_VARIANTS) next.push([...list, ...choice]);
    lists = next;
  }
  return lists.map((words) => ({ ...command, words }));
}

/** A file the script wrote. */
export interface WrittenFile {
  readonly path: string;
  /** Its content, when every byte is known. */
  readonly content?: string;
  /** Made executable (`chmod +x`). */
  executable: boolean;
}

/** Files written so far, by normalised path. */
export class WrittenFiles {
  readonly #files = new Map<string, WrittenFile>();

  /** Remember a write (appends add to known content). */
  record(path: string, cwd: string | undefined, content: string | undefined, append: boolean): void {
    const key = normalizePath(path, cwd);
    const previous = this.#files.get(key);
    if (!previous && this.#files.size >= MAX_FILES) return;
    const merged = append && previous?.content !== undefined && content !== undefined ? previous.content + content : content;
    this.#files.set(key, { path: key, content: merged?.slice(0, MAX_CONTENT), executable: previous?.executable ?? false });
  }

  /** `chmod +x F`. */
  markExecutable(path: string, cwd: string | undefined): void {
    const file = this.#files.get(normalizePath(path, cwd));
    if (file) file.executable = true;
  }

  get size(): number {
    return this.#files.size;
  }

  /** The written file a path names. */
  get(path: string, cwd: string | undefined): WrittenFile | undefined {
    return this.#files.get(normalizePath(path, cwd));
  }

  /**
   * Written files a command refers to: an argument naming one, a folder holding one
   * (`pip install $TF` with `$TF/setup.py`), or the working directory holding one.
   */
  referencedBy(words: readonly Word[], cwd: string | undefined, byFolder: boolean): WrittenFile[] {
    if (this.#files.size === 0) return [];
    const out = new Set<WrittenFile>();
    for (const word of words) {
      if (word.dynamic && !word.alternatives) continue;
      const values = [word.value, ...pathTokens(word.value, 8)];
      for (const value of values) {
        const clean = value.replace(/^[A-Za-z-]*=/, "").replace(/^@/, "");
        if (clean === "" || clean.startsWith("-")) continue;
        const key = normalizePath(clean, cwd);
        const exact = this.#files.get(key);
        if (exact) out.add(exact);
        else if (byFolder) for (const file of this.#files.values()) if (file.path.startsWith(`${key}/`)) out.add(file);
      }
    }
    if (byFolder && cwd !== undefined) {
      const here = normalizePath(".", cwd);
      for (const file of this.#files.values()) if (file.path.startsWith(`${here}/`)) out.add(file);
    }
    return [...out];
  }
}
