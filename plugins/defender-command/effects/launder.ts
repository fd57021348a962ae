/**
 * Disguised reads and writes: a file's content moved through programs configured to change
 * nothing, so that reading or writing it does not look like `cat` or `cp`. Only shapes with no
 * everyday purpose are flagged: an encode-then-decode round trip of a file in one pipeline
 * (`base64 F | base64 -d`, `xxd F | xxd -r`, `gzip -c F | gzip -d`, `rev F | rev`), a local file
 * fetched through a `file://` URL, a file loaded into the shell's history to be printed from
 * there, character-set conversion to the same set (`iconv -f X -t X`), `openssl enc` with no
 * cipher, a copy to the terminal or from stdin (`cp F /dev/stdout`, `cp /dev/stdin F`), formatters told to leave every line alone (`fold -w 99999999`, `nl -b n`, `cut -d ''`),
 * and joins or comparisons against an empty file (`join -a 2 /dev/null F`). Ordinary uses of
 * the same programs (`base64 f > f.b64`, `fold -w 80`, `diff /dev/null new.c`) stay allowed.
 */
import type { SimpleCommand } from "../ir.ts";
import { isDecoder } from "../static.ts";
import { display, positionals, type Invocation } from "../wrappers.ts";
import type { RuleContext } from "./context.ts";

/** Encoders and compressors, with the family their decoder belongs to. */
const FAMILY: Readonly<Record<string, string>> = {
  base64: "base64",
  base32: "base32",
  basenc: "basenc",
  basez: "basez",
  base58: "base58",
  ascii85: "ascii85",
  xxd: "xxd",
  uuencode: "uu",
  uudecode: "uu",
  rev: "rev",
  gzip: "gzip",
  gunzip: "gzip",
  zcat: "gzip",
  bzip2: "bzip2",
  bunzip2: "bzip2",
  bzcat: "bzip2",
  xz: "xz",
  unxz: "xz",
  xzcat: "xz",
  zstd: "zstd",
  unzstd: "zstd",
  zstdcat: "zstd",
  "7z": "7z",
  "7za": "7z",
};

/** Does this stage decode (undo) its family's encoding? (`rev` undoes itself: a first `rev F` encodes.) */
function decodes(invocation: Invocation): boolean {
  const { name, values } = invocation;
  if (name === "rev") return positionals(invocation.args).length === 0;
  if (name === "uudecode" || name === "gunzip" || name === "zcat" || name === "bunzip2" || name === "bzcat") return true;
  if (name === "unxz" || name === "xzcat" || name === "unzstd" || name === "zstdcat") return true;
  if (name === "7z" || name === "7za") return values.some((value) => value === "e" || value === "x") && values.includes("-si");
  if (name === "bzip2" && values.some((value) => /^-\w*d|^--decompress$/.test(value))) return true;
  return isDecoder(invocation);
}

function reason(what: string, file: string, segment: string, ctx: RuleContext): void {
  ctx.hit("obfuscated_command", "review", `${what} (a disguised ${/writes/.test(what) ? "write" : "read"} of ${file})`, segment);
}

/** `base64 F | base64 -d`: a file encoded then decoded in the same pipeline is just its content. */
function roundTrip(invocation: Invocation, ctx: RuleContext, invocationOf: (command: SimpleCommand) => Invocation | undefined): void {
  const family = FAMILY[invocation.name];
  const { pipeline, stage } = invocation.command;
  if (!family || !pipeline || stage === undefined || decodes(invocation)) return;
  const file = positionals(invocation.args).find((word) => word.value !== "-" && !/^\/dev\/std/.test(word.value));
  if (!file) return;
  for (const later of pipeline.stages.slice(stage + 1, stage + 4)) {
    for (const command of later) {
      const decoder = invocationOf(command);
      if (decoder && FAMILY[decoder.name] === family && decodes(decoder)) {
        reason(`${invocation.name} encodes ${file.value} and ${decoder.name} decodes it again`, file.value, invocation.command.text, ctx);
        return;
      }
    }
  }
}

const URL_FETCHERS = /^(?:curl|wget|lwp-request|lwp-download|GET|links|lynx|w3m|elinks|aria2c|http|https|xh)$/;
/** Standard streams and the terminal, by any of their names. */
const STREAM = /^\/(?:dev\/(?:std(?:in|out|err)|tty|fd\/[0-2])|proc\/self\/fd\/[0-2])$/;
const STREAM_OUT = /^\/(?:dev\/(?:stdout|stderr|tty|fd\/[12])|proc\/self\/fd\/[12])$/;
const STREAM_IN = /^\/(?:dev\/(?:stdin|fd\/0)|proc\/self\/fd\/0)$/;

/** Options of `openssl enc` that choose a cipher or an encoding (without one, it copies). */
const CIPHER_OPTION = /^-(?:aes|des|bf|blowfish|cast|camellia|chacha|rc2|rc4|rc5|seed|sm4|aria|idea|id-|base64$|a$|A$|z$|none$)/;
const HUGE_WIDTH = /^(?:-[wt]|--width|--tabs)=?(\d{5,})$|^-(\d{5,})$/;

/** Options that take a value in the next word, for the programs judged here. */
const VALUED: Readonly<Record<string, RegExp>> = {
  iconv: /^(?:-f|-t|-o)$/,
  cut: /^(?:-d|-f|-b|-c)$/,
  join: /^(?:-a|-e|-j|-o|-t|-v|-1|-2)$/,
  cp: /^(?:-t|--target-directory|-S|--suffix)$/,
  install: /^(?:-m|--mode|-o|--owner|-g|--group|-t|--target-directory|-S|--suffix)$/,
  fold: /^-w$/,
  expand: /^-t$/,
  unexpand: /^-t$/,
  fmt: /^(?:-w|-p|-g)$/,
  ptx: /^(?:-w|-g|-b|-i|-o|-F|-S|-W)$/,
  nl: /^(?:-b|-w|-s|-v|-i|-l|-n|-d|-f|-h)$/,
};

/** The file operands of an invocation (positionals that are not option values). */
function operands(invocation: Invocation): string[] {
  const valued = VALUED[invocation.name];
  const out: string[] = [];
  const args = invocation.args;
  for (let i = 0; i < args.length; i++) {
    const value = args[i]!.value;
    if (value.startsWith("-") && value.length > 1) {
      if (valued?.test(value)) i++;
      continue;
    }
    out.push(value);
  }
  return out;
}

/** Single-program shapes. */
function disguises(invocation: Invocation, ctx: RuleContext): void {
  const { name, args, values } = invocation;
  const segment = invocation.command.text;
  const files = operands(invocation);
  const first = files.find((value) => value !== "/dev/null") ?? display(args);
  if (URL_FETCHERS.test(name)) {
    const local = values.find((value) => /^file:\/\//i.test(value));
    if (local) reason(`${name} fetches ${local}, a local file, as if it were a download`, local.slice(7), segment, ctx);
    return;
  }
  switch (name) {
    case "cp":
    case "install": {
      // A copy whose destination is the terminal is `cat`; one whose source is stdin is `tee`.
      const [from, to] = [files[0], files.at(-1)];
      if (files.length === 2 && from && to && !STREAM.test(from) && STREAM_OUT.test(to))
        reason(`${name} copies ${from} to ${to}`, from, segment, ctx);
      else if (files.length === 2 && from && to && STREAM_IN.test(from) && !STREAM.test(to))
        reason(`${name} writes what it reads from ${from} into ${to}`, to, segment, ctx);
      return;
    }
    case "history": {
      // Another file than a history file: `-r`/`-n` load it to be printed, `-w`/`-a` write the typed lines into it.
      const at = values.findIndex((value) => /^-[rnwa]$/.test(value));
      const file = at === -1 ? undefined : args[at + 1]?.value;
      if (!file || /_history$|^\.?zhistory$/.test(file)) return;
      if (/^-[rn]$/.test(values[at]!)) reason(`history ${values[at]} loads ${file} into the shell's history`, file, segment, ctx);
      else reason(`history ${values[at]} writes the shell's history into ${file}`, file, segment, ctx);
      return;
    }
    case "iconv": {
      const from = optionValue(values, /^(?:-f|--from-code)$/);
      const to = optionValue(values, /^(?:-t|--to-code)$/);
      if (from && to && from.toLowerCase() === to.toLowerCase())
        reason(`iconv converts ${from} to ${from}, which changes nothing`, optionValue(values, /^(?:-o|--output)$/) ?? first, segment, ctx);
      return;
    }
    case "openssl":
      if (values[0] === "enc" && !values.slice(1).some((value) => CIPHER_OPTION.test(value)))
        reason("openssl enc without a cipher copies its input unchanged", optionValue(values, /^-(?:in|out)$/) ?? first, segment, ctx);
      return;
    case "fold":
    case "fmt":
    case "ptx":
    case "expand":
    case "unexpand":
      if (
        values.some(
          (value, i) => HUGE_WIDTH.test(value) || (/^(?:-[wt]|--width|--tabs)$/.test(value) && /^\d{5,}$/.test(values[i + 1] ?? "")),
        )
      )
        reason(`${name} with a width no line reaches leaves every line as it is`, first, segment, ctx);
      return;
    case "nl":
      if (values.some((value, i) => value === "-bn" || (/^(?:-b|--body-numbering)$/.test(value) && values[i + 1] === "n")))
        reason("nl numbering no line prints its input unchanged", first, segment, ctx);
      return;
    case "cut":
      if (values.some((value, i) => (value === "-d" && values[i + 1] === "") || value === "--delimiter="))
        reason("cut with an empty delimiter prints whole lines", first, segment, ctx);
      return;
    case "join":
    case "comm":
      if (files.includes("/dev/null") && files.length === 2)
        reason(`${name} against /dev/null prints the other file unchanged`, first, segment, ctx);
      return;
    case "diff":
      if (files.includes("/dev/null") && values.some((value) => /^--(?:line|new-line|unchanged-line)-format=%L$/.test(value)))
        reason("diff with a plain line format against /dev/null prints the other file", first, segment, ctx);
      return;
  }
}

function optionValue(values: readonly string[], flag: RegExp): string | undefined {
  for (let i = 0; i < values.length; i++) {
    const [name, inline] = values[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    if (flag.test(name)) return inline ?? values[i + 1];
  }
  return undefined;
}

/** Disguised reads and writes of one invocation. */
export function launderRules(
  invocation: Invocation,
  ctx: RuleContext,
  invocationOf: (command: SimpleCommand) => Invocation | undefined,
): void {
  roundTrip(invocation, ctx, invocationOf);
  disguises(invocation, ctx);
}
