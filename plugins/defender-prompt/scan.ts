/**
 * Scan every text field of an action for prompt injection: build the views (normalize.ts,
 * decode.ts), run each rule family and each configured pattern, and turn the best hit per
 * family into a finding that names the pattern and the field. Pure and synchronous; bounded in
 * input size (head and tail of huge fields), window size and time.
 */
import type { CompiledPattern, Finding } from "@talon/sdk";
import { decodeBlobs } from "./decode.ts";
import type { RuleFamily } from "./families.ts";
import { collapse, compact, despace, foldText, reverse, rot13, unleet } from "./normalize.ts";

/** Everything the scanner needs, built from config once per reload. */
export interface PromptSettings {
  readonly detector: string;
  readonly families: readonly RuleFamily[];
  /** `security.prompt_injection_patterns` and plugin `extraPatterns`. */
  readonly patterns: readonly { pattern: CompiledPattern; score: number; tag: string }[];
  /** Weight of the 2nd strongest family (the 3rd gets its square, and so on). */
  readonly secondaryWeight: number;
  readonly obfuscationBonus: number;
  readonly encodedBonus: number;
  /** Seed §3.4: prompts over this many UTF-8 bytes get `oversized_payload`. */
  readonly oversizedBytes: number;
  readonly oversizedScore: number;
  /** Characters scanned per field (head and tail); the rest is reported, not scanned. */
  readonly maxScanChars: number;
  /** Score of `scan_truncated` / `scan_incomplete` findings (fail closed: review by default). */
  readonly truncatedScore: number;
  readonly decode: boolean;
  /**
   * Work budget per action: characters fed to patterns (text length × patterns tried). Input
   * caps already bound the work; this is a deterministic backstop (wall time would depend on
   * machine load), past which the scan stops with `scan_incomplete`.
   */
  readonly workBudget: number;
}

/** A text to scan and where it came from (JSON pointer). */
export interface ScanField {
  readonly path: string;
  readonly value: string;
}

interface View {
  readonly text: string;
  /** How the view was obtained, for reasons; empty for the plain text. */
  readonly via: string;
  readonly obfuscated: boolean;
  readonly encoded: boolean;
}

interface Hit {
  readonly id: string;
  readonly tags: readonly string[];
  score: number;
  readonly reason: string;
  readonly field: string;
  readonly pattern: string;
}

const WINDOW_CHARS = 8192;
const WINDOW_OVERLAP = 512;
// The host keeps at most 256 fields per action (core/defender/limits.ts); scan them all.
const MAX_FIELDS = 256;
const MAX_DECODE_DEPTH = 2;
const IN_PLACE_MAX_CHARS = 16384;
// Letters spaced apart by spaces or marks ("i g n o r e", "i-g-n-o-r-e"): worth squeezing.
const SINGLE_LETTER_RUN = /(?:^| )(?:\p{L}[ \-._*]){4,}\p{L}(?=[ .,!?;:]|$)/u;
const COMPACT_PHRASES: readonly [phrase: string, family: string][] = [
  ["ignoreallpreviousinstructions", "instruction_override"],
  ["ignorepreviousinstructions", "instruction_override"],
  ["ignoreallpriorinstructions", "instruction_override"],
  ["disregardallpreviousinstructions", "instruction_override"],
  ["disregardpreviousinstructions", "instruction_override"],
  ["forgetallpreviousinstructions", "instruction_override"],
  ["ignoreyourinstructions", "instruction_override"],
  ["revealthesystemprompt", "prompt_exfiltration"],
  ["revealyoursystemprompt", "prompt_exfiltration"],
  ["revealsystemprompt", "prompt_exfiltration"],
  ["printyoursystemprompt", "prompt_exfiltration"],
  ["youarenowdan", "jailbreak"],
  ["doanythingnow", "jailbreak"],
];
const QUOTE_BEFORE = /["'«“‘`] ?$/;
const QUOTE_AFTER = /^ ?["'»”’`]/;
const META_BEFORE = /\b(?:requests?|attempts?|trying|tries|asks?|asking|asked|refuse|refuses|not|never) to $/;

/** The plain view and every transformed view worth scanning. */
function buildViews(raw: string, decode: boolean, depth = 0, via = ""): View[] {
  const folded = foldText(raw);
  const obfuscated = folded.invisible > 0 || folded.confusable > 0;
  const encoded = via !== "";
  const views: View[] = [{ text: folded.text, via: via || (obfuscated ? "normalised" : ""), obfuscated: obfuscated || encoded, encoded }];
  const spaced = despace(folded.uncollapsed);
  if (spaced)
    views.push({
      text: spaced.text,
      via: joinVia(via, spaced.obfuscated ? "letter spacing removed" : "markdown removed"),
      obfuscated: spaced.obfuscated || encoded,
      encoded,
    });
  const leet = unleet(folded.text);
  if (leet) views.push({ text: leet, via: joinVia(via, "leetspeak folded"), obfuscated: true, encoded });
  if (/\brot ?-?13\b/.test(folded.text))
    views.push({ text: collapse(rot13(folded.text)), via: joinVia(via, "rot13 decoded"), obfuscated: true, encoded });
  if (/\b(?:backwards|reversed?|in reverse|right to left)\b/.test(folded.text))
    views.push({ text: reverse(folded.text), via: joinVia(via, "reversed"), obfuscated: true, encoded });
  if (decode && depth < MAX_DECODE_DEPTH) {
    for (const blob of decodeBlobs(raw)) {
      // Decode in place so the words around the blob still count; huge texts get the blob alone.
      const text = raw.length <= IN_PLACE_MAX_CHARS ? raw.slice(0, blob.start) + blob.text + raw.slice(blob.end) : blob.text;
      views.push(...buildViews(text, true, depth + 1, joinVia(via, `${blob.encoding}-decoded`)));
    }
  }
  return views;
}

function joinVia(outer: string, inner: string): string {
  return outer ? `${outer}, ${inner}` : inner;
}

/** First match of a pattern, scanning long texts in overlapping windows. */
function search(pattern: RegExp, text: string): { index: number; match: string } | undefined {
  if (text.length <= WINDOW_CHARS) {
    const found = pattern.exec(text);
    return found ? { index: found.index, match: found[0] } : undefined;
  }
  for (let start = 0; start < text.length; start += WINDOW_CHARS - WINDOW_OVERLAP) {
    const found = pattern.exec(text.slice(start, start + WINDOW_CHARS));
    if (found) return { index: start + found.index, match: found[0] };
  }
  return undefined;
}

/** Quoted ("'ignore previous instructions' is a famous attack") or negated ("refuse requests to ...") mentions count half. */
function isMention(text: string, index: number, match: string): boolean {
  const before = text.slice(Math.max(0, index - 24), index);
  const after = text.slice(index + match.length, index + match.length + 3);
  return (QUOTE_BEFORE.test(before) && QUOTE_AFTER.test(after)) || META_BEFORE.test(before);
}

function mapFound(found: { index: number; match: string } | undefined, text: string) {
  return found ? { ...found, text } : undefined;
}

function excerpt(match: string): string {
  return match.length > 60 ? `${match.slice(0, 57)}...` : match;
}

/** The part of a huge field that is scanned: the head and the tail. */
function scanRegion(value: string, maxChars: number): string {
  if (value.length <= maxChars) return value;
  const head = Math.floor(maxChars * 0.75);
  return `${value.slice(0, head)}\n${value.slice(value.length - (maxChars - head))}`;
}

interface Budget {
  left: number;
}

/** Keep `hit` unless its family already has a stronger one. */
function offer(hits: Map<string, Hit>, hit: Hit): void {
  const current = hits.get(hit.id);
  if (!current || hit.score > current.score) hits.set(hit.id, hit);
}

/** The first view with letters spaced apart, if any. */
function letterRunView(views: readonly View[]): View | undefined {
  for (const view of views) if (SINGLE_LETTER_RUN.test(view.text)) return view;
  return undefined;
}

function scanField(field: ScanField, settings: PromptSettings, hits: Map<string, Hit>, budget: Budget): boolean {
  const region = scanRegion(field.value, settings.maxScanChars);
  const views = buildViews(region, settings.decode);
  for (const family of settings.families) {
    if (budget.left <= 0) return false;
    for (const view of views) {
      if (!family.trigger.test(view.text)) continue;
      budget.left -= view.text.length * family.patterns.length;
      let found: { index: number; match: string } | undefined;
      let source = "";
      for (const pattern of family.patterns) {
        found = search(pattern, view.text);
        if (found) {
          source = pattern.source;
          break;
        }
      }
      if (!found) continue;
      const mention = isMention(view.text, found.index, found.match);
      const tags = ["prompt_injection", family.tag];
      let score = family.score;
      if (view.obfuscated) {
        score += settings.obfuscationBonus;
        tags.push("obfuscation");
      }
      if (view.encoded) {
        score += settings.encodedBonus;
        tags.push("encoded_payload");
      }
      if (mention) score = Math.round(score / 2);
      const how = [view.via, mention ? "quoted or negated, half weight" : ""].filter(Boolean).join("; ");
      offer(hits, {
        id: family.id,
        tags,
        score,
        reason: `prompt matched risky pattern \`${family.id}\` (${family.description}) in ${field.path}${how ? ` (${how})` : ""}: "${excerpt(found.match)}"`,
        field: field.path,
        pattern: `${family.id}: ${source.length > 120 ? `${source.slice(0, 117)}...` : source}`,
      });
      break;
    }
  }
  const letterRuns = letterRunView(views);
  if (letterRuns) {
    const squeezed = compact(letterRuns.text);
    for (const [phrase, familyId] of COMPACT_PHRASES) {
      const family = settings.families.find((candidate) => candidate.id === familyId);
      if (!family || !squeezed.includes(phrase)) continue;
      offer(hits, {
        id: family.id,
        tags: ["prompt_injection", family.tag, "obfuscation"],
        score: family.score + settings.obfuscationBonus,
        reason: `prompt matched risky pattern \`${family.id}\` (${family.description}) in ${field.path} (letters spaced apart): "${phrase}"`,
        field: field.path,
        pattern: `${family.id}: ${phrase}`,
      });
    }
  }
  for (const { pattern, score, tag } of settings.patterns) {
    if (budget.left <= 0) return false;
    budget.left -= region.length + views[0]!.text.length;
    // Seed semantics: the configured regex on the raw text; Talon adds the folded view.
    const raw = search(pattern.regex, region);
    const found = raw ? { ...raw, text: region } : mapFound(search(pattern.regex, views[0]!.text), views[0]!.text);
    if (!found) continue;
    const mention = isMention(found.text, found.index, found.match);
    offer(hits, {
      id: `pattern:${pattern.source}`,
      tags: tag === "prompt_injection" ? ["prompt_injection"] : ["prompt_injection", tag],
      score: mention ? Math.round(score / 2) : score,
      reason: `prompt matched risky pattern \`${pattern.source}\` in ${field.path}${mention ? " (quoted or negated, half weight)" : ""}`,
      field: field.path,
      pattern: pattern.source,
    });
  }
  return true;
}

/**
 * Scan the fields; returns findings ordered strongest first. The strongest family counts in
 * full, the next at `secondaryWeight`, the one after at its square, and so on.
 */
export function scanPrompt(fields: readonly ScanField[], settings: PromptSettings): Finding[] {
  const budget: Budget = { left: settings.workBudget };
  const hits = new Map<string, Hit>();
  const extra: Finding[] = [];
  const seen = new Set<string>();
  let complete = true;
  for (const field of fields.slice(0, MAX_FIELDS)) {
    if (seen.has(field.value) || field.value.length === 0) continue;
    seen.add(field.value);
    const bytes = Buffer.byteLength(field.value, "utf8");
    if (bytes > settings.oversizedBytes) {
      extra.push({
        detector: settings.detector,
        score: settings.oversizedScore,
        tags: ["oversized_payload"],
        reasons: [`prompt payload is unusually large (${bytes} bytes in ${field.path})`],
        field: field.path,
      });
    }
    if (field.value.length > settings.maxScanChars) {
      extra.push({
        detector: settings.detector,
        score: settings.truncatedScore,
        tags: ["scan_truncated"],
        reasons: [
          `${field.path} has ${field.value.length} characters; only the first and last ${settings.maxScanChars} were scanned for injection`,
        ],
        field: field.path,
      });
    }
    if (!scanField(field, settings, hits, budget)) {
      complete = false;
      break;
    }
  }
  if (fields.length > MAX_FIELDS) complete = false;
  if (!complete) {
    extra.push({
      detector: settings.detector,
      score: settings.truncatedScore,
      tags: ["scan_incomplete"],
      reasons: [
        `prompt scan stopped at its work budget (${settings.workBudget} pattern-characters) or after ${MAX_FIELDS} fields; the rest of the action was not scanned`,
      ],
    });
  }
  const ranked = [...hits.values()].sort((a, b) => b.score - a.score);
  const findings: Finding[] = ranked.map((hit, rank) => ({
    detector: settings.detector,
    score: Math.round(hit.score * settings.secondaryWeight ** rank),
    tags: [...hit.tags],
    reasons: [hit.reason],
    field: hit.field,
    pattern: hit.pattern,
  }));
  return [...findings, ...extra];
}
