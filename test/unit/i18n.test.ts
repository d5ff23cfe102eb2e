import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BADGES, CERT_STATUSES, CITIES, FIELDS, KINDS, LEVELS } from '../../src/domain';
import { catalogue, forgetMissingKeys, hasKey, missingKeys, t } from '../../src/i18n';

const VIEWS = path.join(__dirname, '..', '..', 'views');

function templates(dir = VIEWS): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? templates(full) : name.endsWith('.hbs') ? [full] : [];
  });
}

const rel = (file: string) => path.relative(VIEWS, file).replace(/\\/g, '/');
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Text a person would read once mustaches, comments, tags (with their attributes) and entities are gone. */
export function visibleText(source: string): string {
  return source
    .replace(/\{\{!--[\s\S]*?--\}\}/g, ' ')
    .replace(/\{\{![\s\S]*?\}\}/g, ' ')
    .replace(/\{\{\{?[\s\S]*?\}?\}\}/g, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, ' ');
}

/** Attributes that a person reads (or a screen reader speaks) must come from the catalogues too. */
const SPOKEN_ATTRS = /\s(?:alt|title|placeholder|aria-label|aria-roledescription|aria-valuetext|label)\s*=\s*"([^"]*)"/gi;

const WORDS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}A-Za-z]+/gu;

/** Punctuation only Chinese text uses: an English page would show it as it is (“per 台：”). */
const CHINESE_PUNCTUATION = /[：；，。、！？（）【】《》]/gu;

describe('i18n catalogues', () => {
  const zh = catalogue('zh-CN');
  const en = catalogue('en');

  it('every zh-CN key exists in en', () => {
    const missing = [...zh.keys()].filter((k) => !en.has(k));
    assert.deepEqual(missing, []);
  });

  it('every en key exists in zh-CN', () => {
    const missing = [...en.keys()].filter((k) => !zh.has(k));
    assert.deepEqual(missing, []);
  });

  it('both languages use the same {placeholders} in each message', () => {
    const mismatched = [...zh.keys()].filter((k) => en.has(k) && placeholders(zh.get(k) ?? '').join() !== placeholders(en.get(k) ?? '').join());
    assert.deepEqual(mismatched, []);
  });

  it('no message is empty', () => {
    const empty = [...zh.entries(), ...en.entries()].filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k);
    assert.deepEqual(empty, []);
  });

  it('English counts of one are singular; Chinese has one form', () => {
    assert.equal(t('en', 'orders.count', { n: 1 }), '1 order');
    assert.equal(t('en', 'orders.count', { n: 2 }), '2 orders');
    assert.equal(t('en', 'orders.count', { n: 0 }), '0 orders');
    assert.equal(t('en', 'purchaser.orders_placed', { n: 1, ids: '1426' }), '1 order placed (order 1426); budget reserved');
    assert.equal(t('zh-CN', 'orders.count', { n: 1 }), t('zh-CN', 'orders.count', { n: 2 }).replace('2', '1'));
    for (const [k, v] of zh) if (k.endsWith('_one')) assert.equal(v, zh.get(k.slice(0, -4)), k);
    for (const k of en.keys()) if (k.endsWith('_one')) assert.ok(en.has(k.slice(0, -4)), `${k} has a plain form`);
  });

  it('fills placeholders and falls back to the key for an unknown one', () => {
    assert.equal(t('zh-CN', 'catalogue.result_count', { n: 3 }), '共 3 件产品');
    assert.equal(t('en', 'catalogue.result_count', { n: 3 }), '3 products');
    assert.equal(t('en', 'no.such_key'), 'no.such_key');
    assert.ok(missingKeys().includes('no.such_key'), 'and remembered, for the suite to fail on (test/helpers/tiers.ts)');
    forgetMissingKeys();
  });

  it('has a name for every value of the domain vocabularies the views translate by concatenation', () => {
    const keys = [
      ...LEVELS.flatMap((l) => [`levels.${l}`, `levels.${l}_badge`]),
      ...KINDS.map((k) => `kinds.${k}`),
      ...CERT_STATUSES.map((s) => `cert_status.${s}`),
      ...BADGES.map((b) => `badges.${b}`),
      ...FIELDS.map((f) => `fieldnames.${f.name}`),
      ...CITIES.map((c) => `cities.${c.name}`),
      ...['relevance', 'price_asc', 'price_desc', 'newest'].map((s) => `catalogue.sort_${s}`),
      ...['purchaser', 'vendor', 'admin'].map((r) => `roles.${r}`),
    ];
    const missing = keys.filter((k) => !hasKey('zh-CN', k) || !hasKey('en', k));
    assert.deepEqual(missing, []);
  });
});

describe('templates', () => {
  const files = templates();

  it('finds the templates', () => {
    assert.ok(files.some((f) => rel(f) === 'layouts/main.hbs'));
    assert.ok(files.some((f) => rel(f) === 'catalogue/search.hbs'));
  });

  it('every literal {{t "…"}} key used in views exists in zh-CN', () => {
    const missing: string[] = [];
    for (const file of files) {
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/[{(]\s*t\s+"([^"]+)"/g)) {
        if (!hasKey('zh-CN', m[1])) missing.push(`${rel(file)}: ${m[1]}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('no template contains hard-coded UI text (only mustaches, markup, punctuation and numbers)', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const src = readFileSync(file, 'utf8');
      const words = visibleText(src).match(WORDS) ?? [];
      if (words.length) offenders.push(`${rel(file)}: ${[...new Set(words)].join(' ')}`);
      for (const m of src.replace(/\{\{[\s\S]*?\}\}/g, '').matchAll(SPOKEN_ATTRS)) {
        const attrWords = m[1].match(WORDS);
        if (attrWords) offenders.push(`${rel(file)} (attribute): ${attrWords.join(' ')}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('no template prints Chinese punctuation of its own (a label’s colon, brackets, a list’s 、): it comes from the catalogues', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const marks = visibleText(readFileSync(file, 'utf8')).match(CHINESE_PUNCTUATION) ?? [];
      if (marks.length) offenders.push(`${rel(file)}: ${[...new Set(marks)].join(' ')}`);
    }
    assert.deepEqual(offenders, []);
  });

  it('the text check itself catches hard-coded words and spares punctuation', () => {
    assert.deepEqual(visibleText('<p title="x">{{t "a.b"}} · › — 12 ({{n}})</p>').match(WORDS), null);
    assert.deepEqual(visibleText('<p>{{t "a.b"}} 搜索</p>').match(WORDS), ['搜索']);
    assert.deepEqual(visibleText('<button>Search</button>').match(WORDS), ['Search']);
    assert.deepEqual(visibleText('<!DOCTYPE html><a href="{{url "/x"}}">&nbsp;</a>').match(WORDS), null);
  });
});

describe('i18n: instants in messages', () => {
  it('an ISO instant in a message’s parameters reads as Asia/Shanghai wall time; days and other text stay as they are', () => {
    assert.equal(t('zh-CN', 'first_purchase.guard_notice_running', { endsAt: '2026-10-12T15:59:59.000Z' }), '公示期尚未结束（至 2026-10-12 23:59:59），公示期满后方可审批');
    assert.equal(t('zh-CN', 'first_purchase.guard_notice_running', { endsAt: '2026-10-12T23:59:59+08:00' }), '公示期尚未结束（至 2026-10-12 23:59:59），公示期满后方可审批');
    assert.equal(t('zh-CN', 'first_purchase.guard_notice_running', { endsAt: '2026-10-12' }), '公示期尚未结束（至 2026-10-12），公示期满后方可审批');
  });
});
