import { readFileSync } from 'node:fs';
import { Jieba } from '@node-rs/jieba';

/**
 * The catalogue's search text, shared by indexing (a listing written by vendors, or refreshed by certification when
 * its certificate changes) and querying (catalogue).
 *
 * One tokenizer serves both sides: normalise (NFKC folds full-width letters, digits and punctuation to half-width,
 * ＣＴ → CT, １．５Ｔ → 1.5T; then lower case), then cut into tokens — Latin/digit words (a model code keeps its inner
 * `-`, `.` and `/`: `jr-tm300`, `1.5t`), runs of Chinese characters, other letters — and drop punctuation. The
 * indexed text is those tokens separated by single spaces (Chinese runs kept whole), so that:
 *
 * - a Chinese query word matches anywhere inside a run (数控 and 车床 both inside 数控立式车床), through the trigram
 *   index on SQLite and pg_trgm on PostgreSQL;
 * - a Latin word of 2+ characters likewise matches anywhere (API.md: "2+ characters match inside words"): `ct` inside
 *   `yy-ct64`, `2510` inside `jr-sfu2510`; ranking puts a match at a word's start first. A single Latin letter or
 *   digit matches a whole token only.
 *
 * Queries are segmented with jieba (@node-rs/jieba): every word must match (all terms), a long word also by its parts
 * (数控车床 → 数控 + 车床), and a word or phrase in the synonym table by any of its alternatives (磁共振 → MR, MRI, …).
 */

let jieba: Jieba | undefined;
/**
 * The jieba segmenter with its default dictionary, loaded on first use (about 0.3 s). The dictionary's text is read
 * here and let go once jieba has built its own tables: `@node-rs/jieba/dict` would keep it, and the IDF table we do
 * not use, in memory for the life of the process (11 MB).
 */
export function segmenter(): Jieba {
  return (jieba ??= Jieba.withDict(readFileSync(require.resolve('@node-rs/jieba/dict.txt'))));
}

export function normalizeSearch(input: string): string {
  return input.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const TOKEN = /[a-z0-9]+(?:[-./][a-z0-9]+)*|\p{Script=Han}+|[\p{L}\p{N}]+/gu;
const HAN = /\p{Script=Han}/u;
const LATIN = /^[a-z0-9]/;

/** The tokens of a text, normalised: Latin/digit words, Chinese runs (whole), other letter runs. */
export function searchTokens(input: string): string[] {
  return normalizeSearch(input).match(TOKEN) ?? [];
}

/** A text as the index holds it: its tokens, each with a space before and after. */
export function indexForm(input: string): string {
  const tokens = searchTokens(input);
  return tokens.length ? ` ${tokens.join(' ')} ` : ' ';
}

/**
 * Ends every indexed text, so that its last characters also begin a trigram: a 1- or 2-character query is answered
 * from the trigram index by the trigrams that start with it (see catalogue/repo.ts).
 */
export const SEARCH_TEXT_END = '  ';

/**
 * The indexed text of a product: title, model, certificate number, field, vendor, description — each in index form
 * (tokens between spaces). Which part a term matched is worked out from the parts themselves when ranking.
 */
export function productSearchText(p: { title: string; model: string; field: string; certNo?: string | null; vendorName?: string; description?: string }): string {
  const parts = [p.title, p.model, p.certNo ?? '', p.field, p.vendorName ?? '', p.description ?? ''].map((s) => searchTokens(s).join(' ')).filter(Boolean);
  return ` ${parts.join(' ')}` + SEARCH_TEXT_END;
}

/**
 * What one term of a query may match in the index: any of these patterns, each a substring of the indexed text.
 * API.md: "2+ characters match inside words" — Latin as Chinese: `ct` is found in 64排CT and in a `yy-ct64` model
 * code, `2510` in `jr-sfu2510` (ranking puts a match at a word's start before one inside it, and a title before a
 * model code: matches.ts `relevanceTier`). A single Latin letter or digit is a whole token (` x `), or every code
 * holding an x would match. A phrase of several tokens keeps them in order, separated as the index separates them.
 */
export function termPatterns(term: string): string[] {
  const tokens = searchTokens(term);
  if (tokens.length === 0) return [];
  if (tokens.every((t) => HAN.test(t))) return [tokens.join('')];
  const single = (t: string) => LATIN.test(t) && [...t].length < 2;
  return [`${single(tokens[0]) ? ' ' : ''}${tokens.join(' ')}${single(tokens[tokens.length - 1]) ? ' ' : ''}`];
}

/**
 * Where a pattern starts in an indexed text `haystack`: -1 nowhere, 0 at a word's start (after a space, or after a
 * code's inner `-` `.` `/`), 1 only inside a word. A pattern that is not Latin (Chinese, a whole token) is at a
 * start wherever it is.
 */
export function matchPlace(haystack: string, pattern: string): -1 | 0 | 1 {
  let at = haystack.indexOf(pattern);
  if (at < 0) return -1;
  if (!LATIN.test(pattern)) return 0;
  for (; at >= 0; at = haystack.indexOf(pattern, at + 1)) if (at === 0 || !/[a-z0-9]/.test(haystack[at - 1])) return 0;
  return 1;
}

/** Words too common to narrow a search, dropped from a query that has other words. */
const STOPWORDS = new Set(['的', '和', '与', '及', '或', '之', '等', '在', '了', '用', '是', '有', '个', '类', '款', '型']);

/** The parts a long word is made of, when the dictionary knows them: 数控车床 → 数控, 车床; 电动车 → 电动, 车. */
function parts(word: string): string[] {
  const chars = [...word];
  if (chars.length < 3) return [word];
  const known = new Set(segmenter().cutForSearch(word, false).filter((w) => w !== word && [...w].length >= 2));
  if (known.size === 0) return [word];
  const out: string[] = [];
  let i = 0;
  while (i < chars.length) {
    let taken = '';
    for (let len = chars.length - i - (i === 0 ? 1 : 0); len >= 2; len--) {
      const w = chars.slice(i, i + len).join('');
      if (known.has(w)) {
        taken = w;
        break;
      }
    }
    out.push(taken || chars[i]);
    i += taken ? [...taken].length : 1;
  }
  return out;
}

/** A synonym table as the query parser reads it: a normalised word or phrase → every form it may be found by. */
export type SynonymMap = ReadonlyMap<string, readonly string[]>;

/** One term of a parsed query: what the user typed, and the forms (the word itself and its synonyms) it may match. */
export interface QueryTerm {
  text: string;
  forms: string[];
}

export const MAX_QUERY_TERMS = 8;

/**
 * A query as terms that must all match. Phrases in the synonym table are taken first (longest first, Latin ones only
 * between token boundaries); the rest is cut into tokens, Chinese runs segmented by jieba into words (a long word
 * into its parts), each word looked up in the synonym table too. Repeated terms count once.
 */
export function parseQuery(q: string, synonyms: SynonymMap = new Map()): QueryTerm[] {
  const text = normalizeSearch(q);
  const found: Array<{ at: number; end: number; key: string }> = [];
  const keys = [...synonyms.keys()].filter((k) => k.length > 0).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const taken = new Array<boolean>(text.length).fill(false);
  const boundary = (i: number) => i < 0 || i >= text.length || !/[a-z0-9]/.test(text[i]);
  for (const key of keys) {
    for (let at = text.indexOf(key); at >= 0; at = text.indexOf(key, at + 1)) {
      const end = at + key.length;
      if (/^[a-z0-9]/.test(key) && !boundary(at - 1)) continue;
      if (/[a-z0-9]$/.test(key) && !boundary(end)) continue;
      let free = true;
      for (let i = at; i < end && free; i++) free = !taken[i];
      if (!free) continue;
      for (let i = at; i < end; i++) taken[i] = true;
      found.push({ at, end, key });
    }
  }
  found.sort((a, b) => a.at - b.at);
  const terms: QueryTerm[] = [];
  const plain = (piece: string) => {
    for (const token of piece.match(TOKEN) ?? []) {
      const words = HAN.test(token) ? segmenter().cut(token, false).flatMap((w) => (synonyms.has(w) ? [w] : parts(w))) : [token];
      for (const w of words) {
        const forms = synonyms.get(w);
        terms.push({ text: w, forms: forms ? [...new Set([w, ...forms])] : [w] });
      }
    }
  };
  let at = 0;
  for (const f of found) {
    plain(text.slice(at, f.at));
    terms.push({ text: f.key, forms: [...new Set([f.key, ...(synonyms.get(f.key) ?? [])])] });
    at = f.end;
  }
  plain(text.slice(at));
  const seen = new Set<string>();
  const unique = terms.filter((t) => !seen.has(t.text) && seen.add(t.text));
  const meaningful = unique.filter((t) => !STOPWORDS.has(t.text));
  return (meaningful.length ? meaningful : unique).slice(0, MAX_QUERY_TERMS);
}

/** Query terms without synonyms: the words every match must contain. */
export function searchTerms(q: string): string[] {
  return parseQuery(q).map((t) => t.text);
}

/** A parsed query as index patterns: one list per term, any of which matches it (see termPatterns). */
export function queryPatterns(terms: QueryTerm[]): string[][] {
  return terms.map((t) => [...new Set(t.forms.flatMap(termPatterns))].slice(0, 16)).filter((p) => p.length > 0);
}

/** An FTS5 query matching any of the given index terms (trigrams), each quoted. */
export function ftsAnyOf(terms: string[]): string {
  return terms.map(ftsPhrase).join(' OR ');
}

/** LIKE pattern for a term, with the wildcard characters escaped (ESCAPE '\'). */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** An FTS5 string literal for the trigram tokenizer: the whole term as one phrase. */
export function ftsPhrase(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}
