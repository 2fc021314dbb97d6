/**
 * The longest explanation an Alert vertex may hold. The vocabulary checks every string
 * property against 10000 characters (`checkValue` in libs/vocabulary/src/schema.ts) but does
 * not export the number; `explanation.spec.ts` checks this value against `validateVertex`, so
 * a change of the vocabulary's limit fails that test instead of losing alerts.
 */
export const MAX_EXPLANATION_CHARS = 10_000;

/** Room kept for the ending that says what was left out. */
const ENDING_ROOM = 120;

/** Cuts `text` to at most `max` characters, at the last word boundary if there is one. */
function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max);
  const space = head.search(/\s\S*$/);
  // No space in the second half: a long token (an id list without spaces); cut it there.
  const cut = space > max / 2 ? head.slice(0, space) : head;
  return cut.replace(/[\s,;:(-]+$/, '');
}

/**
 * An explanation that fits an Alert vertex: unchanged when short enough, else its start cut at
 * a word and ended with what was left out, e.g. "… (explanation shortened; all 300 evidence
 * movements are in movementIds)". Every alert goes through it (`toDetectedAlert`), so no rule
 * can produce an alert the store refuses.
 */
export function boundedExplanation(
  text: string,
  movementCount: number,
  max: number = MAX_EXPLANATION_CHARS,
): string {
  if (text.length <= max) return text;
  const evidence =
    movementCount > 0
      ? `all ${movementCount} evidence movement${movementCount === 1 ? ' is' : 's are'} in movementIds`
      : 'see the alert parties and facts';
  const ending = `… (explanation shortened from ${text.length} characters; ${evidence})`;
  return `${cutAtWord(text, Math.max(0, max - Math.max(ending.length, ENDING_ROOM)))}${ending}`;
}

/**
 * Items of an explanation, the first `shown` of them joined with `separator`, then
 * "… (N more movements; see movementIds)" for the rest: rules that list their evidence keep
 * the sentence readable however many movements it holds.
 */
export function listedMovements(items: readonly string[], shown: number, separator = '; '): string {
  if (items.length <= shown) return items.join(separator);
  const more = items.length - shown;
  return (
    `${items.slice(0, shown).join(separator)}` +
    `… (${more} more movement${more === 1 ? '' : 's'}; see movementIds)`
  );
}
