import assert from 'node:assert/strict';
import { relevanceTier } from '../../src/catalogue/matches';
import { SEARCH_TEXT_END, ftsAnyOf, ftsPhrase, likePattern, matchPlace, normalizeSearch, parseQuery, productSearchText, queryPatterns, searchTerms } from '../../src/search-text';

describe('catalogue search text', () => {
  describe('normalizeSearch', () => {
    it('folds full-width Latin letters and digits to half-width lower case', () => {
      assert.equal(normalizeSearch('ＣＴ'), 'ct');
      assert.equal(normalizeSearch('１．５Ｔ'), '1.5t');
      assert.equal(normalizeSearch('ＤＡ４０ＮＧ'), 'da40ng');
    });

    it('leaves Chinese characters alone and lower-cases Latin', () => {
      assert.equal(normalizeSearch('64排CT'), '64排ct');
      assert.equal(normalizeSearch('五轴数控卧式侧拉床'), '五轴数控卧式侧拉床');
    });

    it('collapses every kind of whitespace, including the ideographic space, and trims', () => {
      assert.equal(normalizeSearch('  DA40\t\n 飞机　 CT  '), 'da40 飞机 ct');
      assert.equal(normalizeSearch('　'), '');
    });
  });

  describe('searchTerms', () => {
    it('splits on whitespace, normalises each term and drops duplicates', () => {
      assert.deepEqual(searchTerms('DA40 飞机'), ['da40', '飞机']);
      assert.deepEqual(searchTerms('ＣＴ　ct CT'), ['ct']);
      assert.deepEqual(searchTerms('   '), []);
      assert.deepEqual(searchTerms('机'), ['机']);
    });

    it('keeps at most eight terms', () => {
      assert.equal(searchTerms('a b c d e f g h i j').length, 8);
    });
  });

  describe('likePattern', () => {
    it('wraps the term in % and escapes the LIKE wildcards and the escape character', () => {
      assert.equal(likePattern('机床'), '%机床%');
      assert.equal(likePattern('100%'), '%100\\%%');
      assert.equal(likePattern('a_b'), '%a\\_b%');
      assert.equal(likePattern('c:\\x'), '%c:\\\\x%');
    });
  });

  describe('ftsPhrase', () => {
    it('quotes the term as one FTS5 phrase and doubles embedded quotes', () => {
      assert.equal(ftsPhrase('da40ng'), '"da40ng"');
      assert.equal(ftsPhrase('5"x'), '"5""x"');
      assert.equal(ftsPhrase('a OR b'), '"a OR b"');
      assert.equal(ftsPhrase('NEAR(x*'), '"NEAR(x*"');
    });
  });

  describe('ftsAnyOf', () => {
    it('ORs quoted index terms, so trigrams with spaces or quotes stay literal', () => {
      assert.equal(ftsAnyOf(['机床 ', '机床上', 'a"b']), '"机床 " OR "机床上" OR "a""b"');
    });
  });

  describe('productSearchText', () => {
    it('holds the title, model, certificate number, field and vendor as tokens between spaces, Latin apart from Chinese', () => {
      const text = productSearchText({ title: '64排ＣＴ', model: 'ZJ-64', field: '高端医疗装备', certNo: 'ZJSTT-2020-001', vendorName: '某医疗', description: '机床' });
      assert.ok(text.startsWith(' 64 排 ct zj-64 zjstt-2020-001 高端医疗装备 某医疗 机床'), text);
    });

    it('ends with the end marker, so the last characters also begin a trigram', () => {
      const text = productSearchText({ title: '铣刀', model: '', field: '数控机床' });
      assert.equal(SEARCH_TEXT_END, '  ');
      assert.ok(text.endsWith(`数控机床${SEARCH_TEXT_END}`), JSON.stringify(text));
    });
  });
});

describe('query parsing (jieba, all terms, synonyms)', () => {
  const synonyms = new Map<string, string[]>([
    ['ct机', ['ct']],
    ['磁共振', ['mr', 'mri', '核磁共振']],
    ['mri', ['mr', '磁共振', '核磁共振']],
  ]);

  it('cuts a Chinese query into words that must all be found, a long word into its parts: 数控车床 → 数控 + 车床', () => {
    assert.deepEqual(parseQuery('数控车床').map((t) => t.text), ['数控', '车床']);
    assert.deepEqual(queryPatterns(parseQuery('医用的口罩')), [['医用'], ['口罩']]);
  });

  it('API.md: a Latin word of 2+ characters matches inside words, as Chinese does; a single letter or digit only as a whole token', () => {
    assert.deepEqual(queryPatterns(parseQuery('CT')), [['ct']]);
    assert.deepEqual(queryPatterns(parseQuery('TM300')), [['tm300']]);
    assert.deepEqual(queryPatterns(parseQuery('x')), [[' x ']]);
    assert.deepEqual(queryPatterns(parseQuery('x 光')), [[' x '], ['光']]);
  });

  it('ranks a Latin match at a word’s start (or after a code’s hyphen) before one inside a word, and a title before a model code', () => {
    assert.equal(matchPlace(' 64 排 ct ', 'ct'), 0);
    assert.equal(matchPlace(' yy-ct64 ', 'ct'), 0);
    assert.equal(matchPlace(' hct500 ', 'ct'), 1);
    assert.equal(matchPlace(' hct500 ct-1 ', 'ct'), 0, 'any occurrence at a start counts');
    assert.equal(matchPlace(' 数控立式车床 ', '车床'), 0);
    assert.equal(matchPlace(' mr ', 'ct'), -1);
    const ct = [['ct']];
    const title = relevanceTier(ct, ' 64 排 ct ', ' 高端医疗装备 ', ' yy-ct64 ');
    const modelStart = relevanceTier(ct, ' 纯电动校车 ', ' 新能源汽车 ', ' ct-s6601 ');
    const modelInside = relevanceTier(ct, ' 纯电动校车 ', ' 新能源汽车 ', ' hct6601 ');
    const elsewhere = relevanceTier(ct, ' 纯电动校车 ', ' 新能源汽车 ', ' s6601 ');
    assert.ok(title < modelStart && modelStart < modelInside && modelInside < elsewhere, [title, modelStart, modelInside, elsewhere].join(' '));
    // The title holding the Chinese words in a row still counts, and less than where a word was found.
    const words = [['数控'], ['车床']];
    assert.ok(relevanceTier(words, ' 超精密数控车床 ', '', '') < relevanceTier(words, ' 数控立式车床 ', '', ''));
    assert.ok(relevanceTier(words, ' 数控立式车床 ', '', '') < relevanceTier(words, ' 数控机床 ', ' 车床 ', ''));
  });

  it('takes a phrase of the synonym table first and finds it by any of its forms', () => {
    assert.deepEqual(queryPatterns(parseQuery('CT机', synonyms)), [['ct 机', 'ct']]);
    assert.deepEqual(parseQuery('MRI', synonyms)[0].forms, ['mri', 'mr', '磁共振', '核磁共振']);
    // "mr" inside "mri" is not the synonym "mr": Latin phrases are taken between token boundaries only.
    assert.deepEqual(parseQuery('smr', new Map([['mr', ['x']]]))[0].forms, ['smr']);
  });

  it('drops punctuation and keeps at most 8 terms', () => {
    assert.deepEqual(parseQuery('%_*"'), []);
    assert.equal(parseQuery('a1 b2 c3 d4 e5 f6 g7 h8 i9 j0').length, 8);
  });
});
