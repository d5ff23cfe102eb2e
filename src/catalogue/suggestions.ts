import type { QueryTerm } from '../search-text';

/** A query to try instead, and how many products it finds. */
export interface Suggestion {
  q: string;
  total: number;
  /** spelling: a word replaced by a near one; fewer_words: a word left out; related: a part of a word, or a field. */
  kind: 'spelling' | 'fewer_words' | 'related';
}

const MAX_SUGGESTIONS = 5;
const MAX_TRIES = 40;

/** Edit distance of two words by code point, or Infinity once it exceeds `max`. */
export function editDistance(a: string, b: string, max: number): number {
  const x = [...a];
  const y = [...b];
  if (Math.abs(x.length - y.length) > max) return Infinity;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]);
    }
    if (best > max) return Infinity;
    prev = cur;
  }
  return prev[y.length] <= max ? prev[y.length] : Infinity;
}

/** How far a word may be from a vocabulary word to be its near spelling: 1 for up to 4 characters, else 2. */
const allowance = (word: string) => ([...word].length <= 1 ? 0 : [...word].length <= 4 ? 1 : 2);

/**
 * Queries to suggest when `terms` found nothing, best first, each counted by `count` (those finding nothing are
 * left out): every word that finds nothing replaced by the nearest words of the vocabulary (the catalogue's title
 * words, its fields and the synonym table); the query without one of its words; a word's known parts and the fields
 * or title words that contain it or share its characters.
 */
export async function relatedQueries(terms: QueryTerm[], vocabulary: string[], count: (q: string) => Promise<number>): Promise<Suggestion[]> {
  const words = terms.map((t) => t.text);
  const original = words.join(' ');
  const out: Suggestion[] = [];
  const tried = new Set<string>([original]);
  let tries = 0;
  const tryQuery = async (q: string, kind: Suggestion['kind']): Promise<void> => {
    if (!q || tried.has(q) || out.length >= MAX_SUGGESTIONS || tries >= MAX_TRIES) return;
    tried.add(q);
    tries++;
    const total = await count(q);
    if (total > 0) out.push({ q, total, kind });
  };
  // Which words find nothing on their own: those are the ones to replace.
  const dead: number[] = [];
  for (let i = 0; i < words.length; i++) if ((await count(words[i])) === 0) dead.push(i);
  const nearest = (word: string): string[] => {
    const max = allowance(word);
    if (max === 0) return [];
    return vocabulary
      .map((w) => ({ w, d: w === word ? Infinity : editDistance(word, w, max) }))
      .filter((c) => c.d !== Infinity)
      .sort((a, b) => a.d - b.d || a.w.length - b.w.length || (a.w < b.w ? -1 : 1))
      .slice(0, 6)
      .map((c) => c.w);
  };
  // A Chinese query segmented around a typo (挖掘几 → 挖掘 + 几): its whole text near a known word (挖掘机).
  const whole = words.join('');
  if (dead.length && words.length > 1 && words.every((w) => /^\p{Script=Han}+$/u.test(w))) {
    for (const w of nearest(whole)) await tryQuery(w, 'spelling');
  }
  // Near spellings of each dead word, nearest first.
  for (const i of dead) {
    for (const w of nearest(words[i])) await tryQuery(words.map((x, j) => (j === i ? w : x)).join(' '), 'spelling');
  }
  // The query without a word (the dead ones first).
  if (words.length > 1) {
    const order = [...dead, ...words.map((_, i) => i).filter((i) => !dead.includes(i))];
    for (const i of order) await tryQuery(words.filter((_, j) => j !== i).join(' '), 'fewer_words');
  }
  // Related: vocabulary words containing a dead word or made of its characters, longest share first.
  for (const i of dead) {
    const chars = new Set([...words[i]].filter((c) => /\p{Script=Han}/u.test(c)));
    const scored = vocabulary
      .map((w) => ({ w, n: w.includes(words[i]) ? 100 : [...new Set(w)].filter((c) => chars.has(c)).length }))
      .filter((c) => c.n >= Math.min(2, chars.size) && c.n > 0 && c.w !== words[i])
      .sort((a, b) => b.n - a.n || a.w.length - b.w.length || (a.w < b.w ? -1 : 1))
      .slice(0, 8);
    for (const { w } of scored) await tryQuery(words.map((x, j) => (j === i ? w : x)).join(' '), 'related');
  }
  return out;
}
