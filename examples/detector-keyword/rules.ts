/** Pure matching: whole-word, case-insensitive keyword search over an action's text fields. */
import type { ActionField } from "@talon/sdk";

export interface KeywordRule {
  word: string;
  score: number;
  pattern: RegExp;
}

/** Escape a keyword for use inside a RegExp. */
function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function compileRules(words: Record<string, number>): KeywordRule[] {
  return Object.entries(words).map(([word, score]) => ({ word, score, pattern: new RegExp(`\\b${escape(word)}\\b`, "i") }));
}

/** Every (rule, field) pair that matches; each rule counts once per action. */
export function matchRules(rules: readonly KeywordRule[], fields: readonly ActionField[]): { rule: KeywordRule; field: ActionField }[] {
  const hits: { rule: KeywordRule; field: ActionField }[] = [];
  for (const rule of rules) {
    const field = fields.find((candidate) => rule.pattern.test(candidate.value));
    if (field) hits.push({ rule, field });
  }
  return hits;
}
