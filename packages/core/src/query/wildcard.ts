/** Wildcard values (`auth.*`): `*` is any run of characters, everything else is literal in every store. */

/** ASCII punctuation: escaped with a backslash it is literal in JavaScript and in PCRE (MongoDB). */
const PUNCTUATION = /[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/g;

/** An anchored regular expression source for a wildcard, every character but `*` escaped. */
export function wildcardRegexSource(pattern: string): string {
  return `^${pattern
    .split('*')
    .map((part) => part.replace(PUNCTUATION, '\\$&'))
    .join('[\\s\\S]*')}$`;
}

/** A SQL LIKE pattern (escape character backslash) for a wildcard: `%`, `_` and `\` are literal. */
export function wildcardLikePattern(pattern: string): string {
  return pattern.replace(/[\\%_]/g, '\\$&').replace(/\*/g, '%');
}

/** A LIKE pattern for "contains `text`", with `%`, `_` and `\` literal. */
export function containsLikePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/** A regular expression source matching `text` literally (not anchored). */
export function literalRegexSource(text: string): string {
  return text.replace(PUNCTUATION, '\\$&');
}
