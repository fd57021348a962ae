/**
 * Word boundaries for letters spaced one by one ("i g n o r e a l l p r e v i o u s"): once the
 * spaces are squeezed out the words run together, so they are split again with a vocabulary of
 * the words the rules read plus common short words (dynamic programming: a known word costs 1, a
 * letter no known word covers costs 2, the cheapest split wins, so unknown words stay spelled
 * out between the known ones). Linear in the run's length.
 */

const WORDS = `a about above access act add admin ai all allowed always an and answer any are as ask assistant at
back be before below bypass by can cancel code config configuration confirm conversation copy credentials
data delete developer did directions disable disregard do document does dont drop email env every everything
execute file files filter filters first follow following for forget forward from give granted guidelines have
here hidden i if ignore in initial instead instructions instruction is it its just key keys know last leak
limits list me message messages mode model must my new next no not now obey of off on only or original
other out output override passcode password passwords paste people pin please post pre preprompt previous
print prior private prompt prompts read real repeat reset restrictions reveal rule rules run safety say
secret secrets security send share shell show so start step steps stop system tell text that the then these
this those to token tokens told unrestricted upload us user was we were what when with without word words
write you your yours`;

const VOCAB: ReadonlySet<string> = new Set(WORDS.split(/\s+/).filter(Boolean));
const LONGEST = Math.max(...[...VOCAB].map((word) => word.length));
const MAX_RUN = 512;

/** `letters` (lowercase, no spaces) split into vocabulary words; undefined when the run is too long or no word is known. */
export function segmentWords(letters: string): string | undefined {
  const length = letters.length;
  if (length === 0 || length > MAX_RUN) return undefined;
  // cost[i]: cheapest split of letters[0, i); from[i]: where its last piece starts.
  const cost = new Array<number>(length + 1).fill(Number.POSITIVE_INFINITY);
  const from = new Array<number>(length + 1).fill(-1);
  cost[0] = 0;
  for (let end = 1; end <= length; end++) {
    // An unknown letter on its own.
    cost[end] = cost[end - 1]! + 2;
    from[end] = end - 1;
    for (let start = Math.max(0, end - LONGEST); start < end; start++) {
      if (cost[start]! + 1 >= cost[end]!) continue;
      if (VOCAB.has(letters.slice(start, end))) {
        cost[end] = cost[start]! + 1;
        from[end] = start;
      }
    }
  }
  const parts: string[] = [];
  let known = 0;
  for (let end = length; end > 0; end = from[end]!) {
    const piece = letters.slice(from[end]!, end);
    if (VOCAB.has(piece)) known++;
    parts.push(piece);
  }
  return known === 0 ? undefined : parts.reverse().join(" ");
}
