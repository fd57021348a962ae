/**
 * Scan every text field of an action for prompt injection: build the views (views.ts), run each
 * rule family that reads the field's role and each configured pattern, and turn the best hit per
 * family tag into a finding that names the pattern and the field. A family tag counts once, so
 * two rules that mean the same thing never add up. Pure and synchronous; bounded in input size
 * (head and tail of huge fields), window size and work.
 */
import type { ActionRole, CompiledPattern, Finding } from "@talon/sdk";
import { familyScore, roleClassOf, triggered, type RoleClass, type RuleFamily } from "./families.ts";
import { embeddedDocument } from "./embedded.ts";
import { findFlood } from "./flood.ts";
import { buildViews, type View } from "./views.ts";

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
  /** Added when a rule matched text hidden from a human reader (documents only). */
  readonly hiddenBonus: number;
  /** Score of a context flood (hundreds of repeats) in text a person typed. */
  readonly floodScore: number;
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

/** A text to scan, where it is (JSON pointer) and where it came from (`user` when absent). */
export interface ScanField {
  readonly path: string;
  readonly value: string;
  readonly role?: ActionRole;
}

interface Hit {
  /** What the hit counts under: the family tag (a configured pattern with the generic tag counts on its own). */
  readonly key: string;
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
const QUOTE_BEFORE = /["'«“‘`] ?$/;
const QUOTE_AFTER = /^ ?["'»”’`]/;
const PLAIN_ASCII = /^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/;
const QUOTE_INSIDE = /["«»“”‘’`]|'(?![a-z])/;
const META_BEFORE = /\b(?:requests?|attempts?|trying|tries|asks?|asking|asked|refuse|refuses|not|never) to $/;

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
  // A match that holds a quote itself ("say 'access granted'") is an instruction about a quote, not a quoted phrase.
  if (QUOTE_INSIDE.test(match)) return META_BEFORE.test(text.slice(Math.max(0, index - 24), index));
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

/** Keep `hit` unless its family tag already has a stronger one. */
function offer(hits: Map<string, Hit>, hit: Hit): void {
  const current = hits.get(hit.key);
  if (!current || hit.score > current.score) hits.set(hit.key, hit);
}

const LINE_SPLIT = new WeakMap<RuleFamily, { line: RegExp[]; flat: RegExp[] }>();

/** A line-aware family's patterns that need line starts (they mention `\n`), and the rest. */
function linePatterns(family: RuleFamily): { line: RegExp[]; flat: RegExp[] } {
  let split = LINE_SPLIT.get(family);
  if (!split) {
    split = { line: [], flat: [] };
    for (const pattern of family.patterns) (pattern.source.includes("\\n") ? split.line : split.flat).push(pattern);
    LINE_SPLIT.set(family, split);
  }
  return split;
}

/** The first view a family matches, with its score on `roleClass`. */
function matchFamily(
  family: RuleFamily,
  base: number,
  views: readonly View[],
  settings: PromptSettings,
  budget: Budget,
  path: string,
): Hit | undefined {
  for (const view of views) {
    if (family.hiddenOnly && !view.hidden) continue;
    if (!triggered(family, view.text)) continue;
    let found: { index: number; match: string; text: string } | undefined;
    let source = "";
    // With line breaks kept, patterns that anchor on a line start read the lines; the others the collapsed text.
    const split = family.lineAware && view.lines !== undefined ? linePatterns(family) : undefined;
    const passes: [text: string, patterns: readonly RegExp[]][] = split
      ? [
          [view.text, split.flat],
          [view.lines!, split.line],
        ]
      : [[view.text, family.patterns]];
    for (const [text, patterns] of passes) {
      budget.left -= text.length * patterns.length;
      for (const pattern of patterns) {
        const hit = search(pattern, text);
        if (hit) {
          found = { index: hit.index, match: hit.match, text };
          source = pattern.source;
          break;
        }
      }
      if (found) break;
    }
    if (!found) continue;
    const mention = isMention(found.text, found.index, found.match);
    const tags = ["prompt_injection", family.tag];
    let score = base;
    if (view.obfuscated) {
      score += settings.obfuscationBonus;
      tags.push("obfuscation");
    }
    if (view.encoded) {
      score += settings.encodedBonus;
      tags.push("encoded_payload");
    }
    if (view.hidden) {
      score += settings.hiddenBonus;
      tags.push("hidden_text");
    }
    if (mention) score = Math.round(score / 2);
    const how = [view.via, mention ? "quoted or negated, half weight" : ""].filter(Boolean).join("; ");
    return {
      key: family.tag,
      id: family.id,
      tags,
      score,
      reason: `prompt matched risky pattern \`${family.id}\` (${family.description}) in ${path}${how ? ` (${how})` : ""}: "${excerpt(found.match)}"`,
      field: path,
      pattern: `${family.id}: ${source.length > 120 ? `${source.slice(0, 117)}...` : source}`,
    };
  }
  return undefined;
}

function scanField(field: ScanField, settings: PromptSettings, hits: Map<string, Hit>, budget: Budget): boolean {
  const region = scanRegion(field.value, settings.maxScanChars);
  const roleClass: RoleClass = roleClassOf(field.role);
  // The operator's own system prompt is only held to the configured patterns.
  const views = roleClass === "system" ? [] : buildViews(region, settings.decode);
  for (const family of settings.families) {
    if (budget.left <= 0) return false;
    const base = familyScore(family, roleClass);
    if (!base) continue;
    const hit = matchFamily(family, base, views, settings, budget, field.path);
    if (hit) offer(hits, hit);
  }
  // A document pasted into a request is data: the document families read that part as they read a tool result.
  const pasted = roleClass === "user" ? embeddedDocument(region) : undefined;
  if (pasted !== undefined) {
    const dataViews = buildViews(pasted, false).map((view) => ({ ...view, via: view.via ? `pasted data, ${view.via}` : "pasted data" }));
    for (const family of settings.families) {
      if (budget.left <= 0) return false;
      const base = familyScore(family, "document");
      if (!base || familyScore(family, "user")) continue;
      const hit = matchFamily(family, base, dataViews, settings, budget, field.path);
      if (hit) offer(hits, hit);
    }
  }
  if (roleClass === "user" && settings.floodScore > 0 && views.length > 0) {
    const flood = findFlood(views[0]!.text);
    if (flood)
      offer(hits, {
        key: "context_flooding",
        id: "context_flooding",
        tags: ["prompt_injection", "context_flooding"],
        score: settings.floodScore,
        reason: `prompt floods the context in ${field.path}: "${excerpt(flood.unit)}" repeated ${flood.repeats} times`,
        field: field.path,
        pattern: "context_flooding",
      });
  }
  const plain = views[0]?.text;
  for (const { pattern, score, tag } of settings.patterns) {
    if (budget.left <= 0) return false;
    budget.left -= region.length + (plain?.length ?? 0);
    // Seed semantics: the configured regex on the raw text; Talon adds the folded view.
    const raw = search(pattern.regex, region);
    // A case-insensitive pattern finds nothing more in the folded view of plain single-spaced ASCII text.
    const foldedAdds = plain !== undefined && !(pattern.regex.ignoreCase && plain.length === region.length && PLAIN_ASCII.test(region));
    const found = raw ? { ...raw, text: region } : foldedAdds ? mapFound(search(pattern.regex, plain!), plain!) : undefined;
    if (!found) continue;
    const mention = isMention(found.text, found.index, found.match);
    offer(hits, {
      key: tag === "prompt_injection" ? `pattern:${pattern.source}` : tag,
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
 * Scan the fields; returns findings ordered strongest first. The strongest family tag counts in
 * full, the next at `secondaryWeight`, the one after at its square, and so on.
 */
export function scanPrompt(fields: readonly ScanField[], settings: PromptSettings): Finding[] {
  const budget: Budget = { left: settings.workBudget };
  const hits = new Map<string, Hit>();
  const extra: Finding[] = [];
  const seen = new Map<string, Set<RoleClass>>();
  let complete = true;
  for (const field of fields.slice(0, MAX_FIELDS)) {
    // The same text is read once per role class (a tool result quoting the user is read as a document too).
    const roleClass = roleClassOf(field.role);
    const classes = seen.get(field.value);
    if (classes?.has(roleClass) || field.value.length === 0) continue;
    if (classes) classes.add(roleClass);
    else seen.set(field.value, new Set([roleClass]));
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
