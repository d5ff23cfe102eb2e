import fc from 'fast-check';
import { creditCode } from '../helpers/factories';
import { pct } from './client';
import { HINTS, likelyRole, paramKind, paramsOf, stateFor, type FieldKind } from './routes';
import type { FuzzWorld, Role } from './world';

/**
 * fast-check arbitraries for whole HTTP requests against any registered route: path parameters, query strings,
 * bodies of every shape, headers, and who calls (role × bearer / cookie + CSRF). Values are a mix of right ones
 * (real ids, valid money, known enum values — so that requests get past validation into the services and the
 * database) and wrong ones (types, ranges, encodings, injection syntax, sizes).
 */

/** A request body as the generator describes it; the harness serialises it (after adding the CSRF field, if any). */
export type BodySpec =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; contentType?: string }
  | { kind: 'raw'; contentType: string | null; text: string; encoding?: string; gzip?: boolean }
  | { kind: 'form'; pairs: Array<[string, string]>; contentType?: string }
  | { kind: 'multipart'; fields: Array<[string, string]>; file?: UploadFile }
  /** `{"a":{"a":…1…}}` or `[[…]]`, `depth` levels, built when sent (a 6000-level body is 36 KB). */
  | { kind: 'deep'; depth: number; shape: 'object' | 'array'; contentType?: string };

/** A file to upload; `base64` for binary content (a workbook). */
export interface UploadFile {
  name: string;
  type: string;
  data: string;
  base64?: boolean;
}

export type AuthMode = 'none' | 'bearer' | 'cookie' | 'cookie-no-csrf' | 'cookie-bad-csrf' | 'both';

export interface FuzzRequest {
  /** The registered route this request aims at ('METHOD /path'). */
  route: string;
  /** Usually the route's method; now and then another one (a 405 must be an answer, not a crash). */
  method: string;
  /** The path with its query, percent-encoded as it goes on the wire. */
  path: string;
  role: Role;
  auth: AuthMode;
  /** Where a cookie caller's CSRF token goes. */
  csrfIn: 'header' | 'field';
  headers: Record<string, string>;
  body: BodySpec;
}

// ── values ──

/** Strings that have broken or could break something: NUL, lone surrogates, SQL/FTS syntax, numbers as text, templates. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0000\u0000\u0000',
  '\uD800',
  'x\uDC00y',
  '\uDBFF\uDFFF',
  '\uFFFE',
  '\u202Eevil',
  '\u200B',
  '😀😀',
  '机床\u0000',
  "'",
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '"',
  '""',
  '"a',
  '*',
  'a*',
  'NEAR(a b)',
  'NEAR(',
  'a AND b',
  'OR',
  'NOT',
  '-a',
  '^a',
  'title:x',
  '{a b}',
  '(',
  ')',
  '%',
  '_',
  '\\',
  '\\x00',
  '<script>alert(1)</script>',
  '{{constructor}}',
  '${7*7}',
  '\r\n',
  '\t',
  '__proto__',
  'constructor',
  'prototype',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e308',
  '1e-7',
  '-1',
  '-0',
  '0',
  '0.00',
  '-0.01',
  '9999999999999.99',
  '99999999999999.99',
  '9007199254740993',
  '1e3',
  '0x10',
  '１２３',
  '٣',
  '1.005',
  '00001',
  ' 1',
  '1 ',
  '1.',
  '.5',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '../../../etc/passwd',
  '%00',
  '%2e%2e%2f',
  'Ａ',
  'ǅ',
  'ß',
  'İ',
  '\u0130\u0131',
];

const long = (lengths: number[]) => fc.constantFrom(...lengths).chain((n) => fc.constantFrom('a', '测', '\u0000', '😀', "'").map((c) => c.repeat(n)));

const nastyOf = (longOnes: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: longOnes },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NASTY_STRINGS), fc.constantFrom(...NASTY_STRINGS)).map(([a, b]) => `${a}测试${b}`) },
  );

/** For bodies: up to 100,000 characters. */
export const nastyString: fc.Arbitrary<string> = nastyOf(long([256, 1001, 5001, 20_000, 100_000]));
/** For URLs: short enough that the request line stays under Node's 16 KB header limit once percent-encoded. */
export const nastyUrlString: fc.Arbitrary<string> = nastyOf(long([65, 256, 1001]));

/** Values of the wrong type or out of range for almost any field. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: nastyString },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -0, -1, 1.5, 1e308, -1e308, 9999999999999.99, 2 ** 31, 2 ** 53 + 2, -(2 ** 53), 5e-324, [], [1, 2], ['a'], {}, { a: { b: 1 } }, [{}], [[[]]]),
  },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

const day = (d: Date) => d.toISOString().slice(0, 10);

/** A right (or nearly right) value for a field of that kind. */
export function validValue(kind: FieldKind, w: FuzzWorld): fc.Arbitrary<unknown> {
  const ids = (k: 'product' | 'purchaser' | 'order' | 'objection') => (w.ids[k].length ? fc.constantFrom(...w.ids[k]) : fc.constant(1));
  const numOrString = (a: fc.Arbitrary<number>) => fc.oneof(a, a.map(String));
  switch (kind) {
    case 'money':
      return fc.oneof(fc.constantFrom('1', '100.00', '0.01', '1234.5', '3000000.00', '999999999.99', '9999999999999.99', '0'), fc.integer({ min: 1, max: 10_000_000 }).map(String));
    case 'int':
      return numOrString(fc.constantFrom(0, 1, 5, 10_000, 1_000_000_000));
    case 'qty':
      return numOrString(fc.constantFrom(1, 2, 10_000));
    case 'page':
      return fc.constantFrom('1', '2', '100', '100000');
    case 'year':
      return numOrString(fc.constantFrom(2000, 2025, 2026, 2100));
    case 'id:product':
      // Mostly a listing that can be bought (approved, in stock): so that orders and cases get placed.
      return numOrString(w.orderable.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...w.orderable) }, { weight: 1, arbitrary: ids('product') }) : ids('product'));
    case 'id:purchaser':
      return numOrString(ids('purchaser'));
    case 'id:order':
      return numOrString(ids('order'));
    case 'id:objection':
      return numOrString(ids('objection'));
    case 'disposition':
      return fc.constantFrom('spam', 'duplicate', 'open', 'upheld', 'rejected');
    case 'text':
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('测试', '模糊测试内容', 'abc', 'HT-2026-001', '张三') },
        { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
        // At the limits the schemas allow (20, 64, 100, 200, 500, 1000, 5000): what fits the schema must fit the column.
        { weight: 2, arbitrary: fc.tuple(fc.constantFrom(20, 50, 64, 100, 200, 500, 1000, 2000, 5000), fc.constantFrom('测', 'a', '😀')).map(([n, c]) => c.repeat(n)) },
      );
    case 'search':
      return fc.constantFrom('机床', '数控', 'CT', '测试', 'ab', '模糊测试产品', 'ZJSTT');
    case 'date':
      return fc.constantFrom(day(w.clock.now()), '2026-02-28', '2026-02-29', '2099-12-31', '1900-01-01', '2026-03-10', '2024-02-29');
    case 'datetime':
      return fc.constantFrom('2026-03-02T10:00:00+08:00', '2026-03-30T00:00:00Z', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '0001-01-01T00:00:00Z');
    case 'bool':
      return fc.constantFrom<unknown>(true, false, 'true', 'false', 'on', '1', '0');
    case 'certNo':
      return fc.oneof(fc.constantFrom(...w.certNos), fc.constantFrom('ZJSTT-T-00001', 'NOPE-1'));
    case 'creditCode':
      return fc.integer({ min: 80_000, max: 99_999 }).map((n) => creditCode(n));
    case 'username':
      return fc.oneof(fc.constantFrom(...Object.values(w.usernames)), fc.stringMatching(/^fz[a-z0-9_]{3,12}$/));
    case 'password':
      // The users' own (for logins), strong new ones (for registrations and changes), and ones the rules refuse.
      return fc.oneof(
        { weight: 2, arbitrary: fc.constant('demo-password') },
        { weight: 3, arbitrary: fc.constantFrom('tangerine-harbour-42', 'quiet-lantern-orchard-7', '风铃-海港-2026-橘子') },
        { weight: 1, arbitrary: fc.constantFrom('x', 'a'.repeat(129), 'password123', '12345678') },
      );
    case 'city':
      return fc.oneof({ weight: 3, arbitrary: fc.constantFrom('杭州', '宁波', '温州') }, { weight: 1, arbitrary: fc.constantFrom('hangzhou', 'Hangzhou', '杭州市', '北京') });
    case 'field':
      return fc.constantFrom('智能装备', '数控机床', '高端医疗装备', '新材料');
    case 'kind':
      return fc.constantFrom('equipment', 'material', 'software');
    case 'level':
      return fc.constantFrom('international', 'domestic', 'provincial');
    case 'badge':
      return fc.constantFrom('first_unit', 'boutique');
    case 'sort':
      return fc.constantFrom('relevance', 'price_asc', 'price_desc', 'newest');
    case 'status':
      return fc.constantFrom('placed', 'paid', 'approved', 'pending', 'pending_review', 'draft', 'notice', 'valid', 'revoked', 'expired', 'rejected');
    case 'groupBy':
      return fc.constantFrom('year', 'month', 'channel', 'field', 'level', 'kind', 'city', 'purchaserCity', 'vendorCity', 'purchaserType', 'vendor', 'purchaser');
    case 'format':
      return fc.constantFrom('csv', 'xlsx', 'ocds');
    case 'channel':
      return fc.constantFrom('boutique', 'first_purchase');
    case 'lang':
      return fc.constantFrom('en', 'zh-CN');
    case 'items':
      return fc.oneof(
        { weight: 4, arbitrary: fc.tuple(validValue('id:product', w), fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: validValue('qty', w) })).map(([productId, quantity]) => [{ productId, quantity }]) },
        { weight: 1, arbitrary: fc.array(fc.record({ productId: validValue('id:product', w), quantity: validValue('qty', w) }), { minLength: 1, maxLength: 3 }) },
      );
    case 'experts':
      return fc.array(fc.record({ name: fc.constant('王建国'), unit: fc.constant('浙江大学'), title: fc.constant('教授') }), { minLength: 1, maxLength: 3 });
    case 'record':
      return fc.record({ date: validValue('date', w), place: fc.constant('会议室'), staff: validValue('staff', w), costNote: fc.constant('成本说明') });
    case 'staff':
      return fc.array(fc.constantFrom('甲', '乙', '丙'), { minLength: 1, maxLength: 3 });
    case 'indicators':
      return fc.oneof(fc.array(fc.constantFrom('精度 0.005 mm', '转速 12000 rpm'), { maxLength: 3 }), fc.constant('精度\n转速'));
    case 'any':
      return nastyValue;
  }
}

/** A field's value: mostly right, often wrong, and for containers sometimes right on the outside and wrong inside. */
export function fieldValue(kind: FieldKind, w: FuzzWorld): fc.Arbitrary<unknown> {
  const inner: fc.Arbitrary<unknown>[] = [];
  if (kind === 'items') inner.push(fc.array(fc.record({ productId: fc.oneof(validValue('id:product', w), nastyValue), quantity: fc.oneof(validValue('qty', w), nastyValue) }), { maxLength: 60 }));
  if (kind === 'record') inner.push(fc.record({ date: fc.oneof(validValue('date', w), nastyValue), place: nastyValue, staff: fc.oneof(validValue('staff', w), nastyValue), costNote: nastyValue }, { requiredKeys: [] }));
  if (kind === 'experts') inner.push(fc.array(fc.record({ name: nastyValue, unit: nastyValue, title: nastyValue }, { requiredKeys: [] }), { maxLength: 25 }));
  return fc.oneof(
    { weight: 6, arbitrary: validValue(kind, w) },
    { weight: 3, arbitrary: nastyValue },
    ...inner.map((arbitrary) => ({ weight: 2, arbitrary })),
  );
}

/**
 * A JSON object with the route's fields: all of them right but one or two (missing or wrong) — the requests that
 * get furthest — or any subset with any values; now and then with an extra field.
 */
function hintedObject(fields: Record<string, FieldKind>, w: FuzzWorld): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(fields);
  const valid = fc.record(Object.fromEntries(keys.map((k) => [k, validValue(fields[k], w)])));
  const nearlyValid = fc.tuple(valid, fc.subarray(keys, { maxLength: Math.min(2, keys.length) }), fc.array(fc.option(nastyValue, { freq: 3 }), { minLength: 2, maxLength: 2 })).map(([obj, broken, values]) => {
    const out: Record<string, unknown> = { ...obj };
    broken.forEach((k, i) => {
      if (values[i] === null) delete out[k];
      else out[k] = values[i];
    });
    return out;
  });
  const anything = fc.record(Object.fromEntries(keys.map((k) => [k, fieldValue(fields[k], w)])), { requiredKeys: [] });
  const extra = fc.option(fc.tuple(fc.constantFrom('__proto__', 'constructor', '_csrf', 'id', 'status', 'vendorId', 'purchaserId', 'role', 'x'), nastyValue), { freq: 4 });
  return fc.tuple(fc.oneof({ weight: 4, arbitrary: valid }, { weight: 4, arbitrary: nearlyValid }, { weight: 2, arbitrary: anything }), extra).map(([obj, more]) => {
    if (!more) return obj;
    const out = { ...obj };
    // defineProperty: an own "__proto__" key, as JSON.parse would make it.
    Object.defineProperty(out, more[0], { value: more[1], enumerable: true, configurable: true, writable: true });
    return out;
  });
}

/** A value as page forms send it: qs brackets for objects and arrays (`items[0][productId]=1`). */
export function toPairs(value: unknown, prefix = ''): Array<[string, string]> {
  if (value === null || value === undefined) return prefix ? [[prefix, '']] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => toPairs(v, `${prefix}[${i}]`));
  if (typeof value === 'object') return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => toPairs(v, prefix ? `${prefix}[${k}]` : k));
  return [[prefix || 'value', String(value)]];
}

/** Body text that is not what its Content-Type says, or not quite JSON. */
const RAW_TEXTS = [
  '',
  '{',
  '{}',
  '[]',
  'null',
  '"str"',
  '1',
  '{"a":}',
  "{'a':1}",
  '{"a":1,}',
  '{"a":NaN}',
  '{"amount":1e400}',
  '{"amount":-1e400,"quantity":1e400}',
  '{"quantity":1.0000000000000002}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '\ufeff{}',
  '\u0000',
  '{"a":1}garbage',
  'a=1&b=2',
  '<xml/>',
  '{"items":[{"productId":1,"quantity":1}]',
];

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=nope',
  'application/vnd.api+json',
  'application/csp-report',
  'text/plain',
  'text/plain; charset=utf-8',
  'text/html',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'application/octet-stream',
  '*/*',
  'garbage',
  ';;;',
];

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Certificate lists to import: a valid CSV and XLSX (so an import can succeed), and broken ones — a workbook with
 * bytes flipped or cut short (the zip and XML parsers must refuse it, not crash or hang), CSV with quotes left open,
 * formula cells, NUL, GBK bytes, a wrong name for the content.
 */
export function uploadArb(w: FuzzWorld): fc.Arbitrary<UploadFile> {
  const xlsx = w.samples.xlsx;
  const flipped = fc.array(fc.tuple(fc.nat(xlsx.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
    const b = Buffer.from(xlsx);
    for (const [at, x] of flips) b[at] ^= x;
    return b.toString('base64');
  });
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<UploadFile>({ name: 'list.csv', type: 'text/csv', data: w.samples.csv }) },
    { weight: 3, arbitrary: fc.constant<UploadFile>({ name: 'list.xlsx', type: XLSX_TYPE, data: xlsx.toString('base64'), base64: true }) },
    { weight: 3, arbitrary: flipped.map((data): UploadFile => ({ name: 'list.xlsx', type: XLSX_TYPE, data, base64: true })) },
    { weight: 1, arbitrary: fc.nat(xlsx.length - 1).map((n): UploadFile => ({ name: 'list.xlsx', type: XLSX_TYPE, data: xlsx.subarray(0, n).toString('base64'), base64: true })) },
    { weight: 1, arbitrary: fc.constant<UploadFile>({ name: 'list.csv', type: 'text/csv', data: xlsx.toString('base64'), base64: true }) },
    {
      weight: 3,
      arbitrary: fc.record({
        name: fc.constantFrom('list.csv', 'list.xlsx', 'a.txt', '../../x.csv', '\u0000.csv', '', 'list.CSV', 'x'.repeat(300) + '.csv'),
        type: fc.constantFrom('text/csv', 'application/octet-stream', XLSX_TYPE, 'text/plain'),
        data: fc.oneof(
          fc.constantFrom(
            'certNo,productName\nA,B\n',
            'PK\u0003\u0004garbage',
            '',
            '\u0000\u0000',
            'certNo\n' + '"'.repeat(1000),
            `${w.samples.csv.split('\n')[0]}\n"=HYPERLINK(""http://x"")",=1+1,@SUM(A1),-2,+3\n`,
            `\ufeff${w.samples.csv}`,
            w.samples.csv.replace(/,/g, ';'),
            w.samples.csv + w.samples.csv.split('\n')[1].repeat(3),
            `${w.samples.csv.split('\n')[0]}\n${'x,'.repeat(20000)}\n`,
          ),
          nastyString,
        ),
      }),
    },
  );
}

/** A body for a route: a hinted JSON object or form most of the time, anything else some of the time. */
export function bodyArb(route: string, w: FuzzWorld): fc.Arbitrary<BodySpec> {
  const hints = HINTS[route] ?? {};
  const api = route.split(' ')[1].startsWith('/api/');
  const fields: Record<string, FieldKind> = hints.body ?? { note: 'any', reason: 'text', amount: 'money', id: 'any' };
  const obj = hintedObject(fields, w);
  const json: fc.Arbitrary<BodySpec> = obj.map((value) => ({ kind: 'json', value }));
  const form: fc.Arbitrary<BodySpec> = obj.map((value) => ({ kind: 'form', pairs: toPairs(value) }));
  const multipart: fc.Arbitrary<BodySpec> = fc
    .tuple(obj, fc.option(uploadArb(w), { freq: hints.file ? 8 : 2 }))
    .map(([value, file]) => ({ kind: 'multipart', fields: hints.file ? [] : toPairs(value), ...(file ? { file } : {}) }));
  const wrongShape: fc.Arbitrary<BodySpec> = fc.oneof(
    fc.constantFrom<unknown>([], [{}], 'string', 42, null, true, [1, 2, 3]).map((value): BodySpec => ({ kind: 'json', value })),
    fc.jsonValue({ maxDepth: 4 }).map((value): BodySpec => ({ kind: 'json', value })),
    fc.tuple(fc.constantFrom(...RAW_TEXTS), fc.constantFrom<string | null>(...CONTENT_TYPES, null)).map(([text, contentType]): BodySpec => ({ kind: 'raw', contentType, text })),
    obj.chain((value) => fc.constantFrom(...CONTENT_TYPES).map((contentType): BodySpec => ({ kind: 'json', value, contentType }))),
    fc.tuple(fc.constantFrom(10, 1000, 6000, 20_000, 60_000), fc.constantFrom<'object' | 'array'>('object', 'array'), fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain')).map(
      ([depth, shape, contentType]): BodySpec => ({ kind: 'deep', depth, shape, contentType }),
    ),
    fc.constantFrom(
      // Larger than the 1 MB limits; compressed bodies (a bomb that inflates past the limit; gzip that is not gzip).
      { kind: 'raw', contentType: 'application/json', text: `{"a":"${'x'.repeat(1_100_000)}"}` } as BodySpec,
      { kind: 'raw', contentType: 'application/x-www-form-urlencoded', text: `a=${'x'.repeat(1_100_000)}` } as BodySpec,
      { kind: 'raw', contentType: 'application/json', text: `{"a":"${'0'.repeat(5_000_000)}"}`, gzip: true } as BodySpec,
      { kind: 'raw', contentType: 'application/json', text: '{}', gzip: true } as BodySpec,
      { kind: 'raw', contentType: 'application/json', text: '{}', encoding: 'gzip' } as BodySpec,
      { kind: 'raw', contentType: 'application/json', text: '{}', encoding: 'br' } as BodySpec,
      { kind: 'raw', contentType: 'application/json', text: '{}', encoding: 'x-unknown' } as BodySpec,
      { kind: 'form', pairs: Array.from({ length: 2000 }, (_, i) => [`k${i}`, 'v'] as [string, string]) } as BodySpec,
      { kind: 'form', pairs: [['a[b][c][d][e][f][g][h]', '1'], ['items[999999][productId]', '1'], ['items[][quantity]', '2']] } as BodySpec,
    ),
  );
  return fc.oneof(
    { weight: api ? 8 : 3, arbitrary: json },
    { weight: api ? 1 : 8, arbitrary: form },
    { weight: hints.file ? 6 : 1, arbitrary: multipart },
    { weight: 1, arbitrary: fc.constant<BodySpec>({ kind: 'none' }) },
    { weight: 4, arbitrary: wrongShape },
  );
}

// ── the URL ──

/** Path segments and query values as they go on the wire: percent-encoded text, or raw bytes no encoder would make. */
const RAW_WIRE = ['%00', 'a%00b', '1%00', '%', '%zz', '%E0%A4%A', '%ED%A0%80', '%C0%AE', '%FF%FE', '+', '%2B', '%20', '%2F', '..', '.', '%2e%2e', '%u0041', '%25'];

export const wireText: fc.Arbitrary<string> = fc.oneof({ weight: 4, arbitrary: nastyUrlString.map(pct) }, { weight: 1, arbitrary: fc.constantFrom(...RAW_WIRE) });

/** A path parameter: a real object's id, another number, or anything else. */
function paramArb(route: string, param: string, w: FuzzWorld): fc.Arbitrary<string> {
  const kind = paramKind(route, param);
  if (kind === 'file') {
    // Real files, and the ways out of public/ (koa-static must refuse them all).
    const files = ['style.css', 'trading.css', 'stats.css', 'first-purchase.css', 'nope.css', '../package.json', '..%2Fpackage.json', '%2e%2e/%2e%2e/package.json', '....//package.json', '%00', 'style.css%00.js', '.', '', '%2F', 'style.css/', 'a'.repeat(300)];
    return fc.oneof(fc.constantFrom(...files), wireText);
  }
  const state = stateFor(route);
  const ready = kind !== 'certNo' && param === 'id' && state ? (w.byState[`${kind}:${state}`] ?? []) : [];
  const anyOfKind = kind === 'certNo' ? (w.certNos.length ? fc.constantFrom(...w.certNos).map(pct) : fc.constant('X')) : w.ids[kind].length ? fc.constantFrom(...w.ids[kind]).map(String) : fc.constant('1');
  const real = ready.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ready).map(String) }, { weight: 2, arbitrary: anyOfKind }) : anyOfKind;
  const anyReal = fc.constantFrom(...Object.values(w.ids).flat(), 1).map(String);
  const numbers = fc.constantFrom('0', '-1', '1.5', '1e3', '0x1', '01', '2147483648', '999999999', '1000000000', '9007199254740993', '99999999999999999999999999', '١', '１').map(pct);
  return fc.oneof({ weight: 8, arbitrary: real }, { weight: 2, arbitrary: anyReal }, { weight: 2, arbitrary: numbers }, { weight: 2, arbitrary: wireText });
}

function queryArb(route: string, w: FuzzWorld): fc.Arbitrary<string> {
  // A write takes its input from the body: most of its requests come without a query, so that they reach it.
  const writes = route.split(' ')[0] !== 'GET';
  const hints = HINTS[route]?.query ?? { page: 'page', pageSize: 'page', q: 'search', lang: 'lang' };
  const keys = Object.keys(hints);
  const value = (k: string) =>
    fc.oneof(
      { weight: 5, arbitrary: (hints[k] === 'any' ? nastyUrlString : validValue(hints[k], w)).map((v) => pct(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))) },
      { weight: 3, arbitrary: wireText },
    );
  const pair = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...keys).chain((k) => value(k).map((v) => `${pct(k)}=${v}`)) },
    // Repeated (an array), bracketed, valueless, unknown.
    { weight: 1, arbitrary: fc.constantFrom(...keys).chain((k) => fc.tuple(value(k), value(k)).map(([a, b]) => `${pct(k)}=${a}&${pct(k)}=${b}`)) },
    { weight: 1, arbitrary: fc.constantFrom(...keys).chain((k) => value(k).map((v) => `${pct(k)}[]=${v}&${pct(k)}[x]=${v}`)) },
    { weight: 1, arbitrary: fc.constantFrom(...keys).map((k) => pct(k)) },
    { weight: 1, arbitrary: fc.tuple(wireText, wireText).map(([k, v]) => `${k}=${v}`) },
  );
  return fc.oneof(
    { weight: writes ? 12 : 2, arbitrary: fc.constant('') },
    { weight: 6, arbitrary: fc.array(pair, { minLength: 1, maxLength: 6 }).map((ps) => `?${ps.join('&')}`) },
    { weight: 1, arbitrary: fc.constantFrom('?', '?&&&', '?=', '?==&=', `?q=${'a'.repeat(6000)}`, `?${Array.from({ length: 1200 }, (_, i) => `p${i}=1`).join('&')}`) },
  );
}

/** The URL: the route's path with its parameters filled in, and a query. */
export function pathArb(route: string, w: FuzzWorld): fc.Arbitrary<string> {
  const template = route.split(' ')[1];
  const params = paramsOf(route);
  const objections = w.objections;
  const filled =
    params.includes('oid') && objections.length
      ? // A real case with its real objection most of the time, so that resolving can succeed.
        fc.oneof(
          fc.constantFrom(...objections).map(([c, o]) => template.replace(':id', String(c)).replace(':oid', String(o))),
          fc.tuple(paramArb(route, 'id', w), paramArb(route, 'oid', w)).map(([c, o]) => template.replace(':id', c).replace(':oid', o)),
        )
      : fc.tuple(...params.map((p) => paramArb(route, p, w))).map((vals) => params.reduce((path, p, i) => path.replace(`:${p}`, vals[i]), template));
  return fc.tuple(filled, queryArb(route, w), fc.oneof({ weight: 12, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('/', '//', '%2F', '/.', '%00') })).map(([p, q, tail]) => `${p}${tail}${q}`);
}

// ── headers and the caller ──

const HEADER_VALUES: Record<string, readonly string[]> = {
  'idempotency-key': ['', ' ', 'fuzz-reused-key', 'a'.repeat(200), 'a'.repeat(201), 'key with spaces', '\xe9\xff', '../../x', 'null', '\t'],
  'accept-language': ['en', 'en-US,en;q=0.9', 'zh-CN', '*', '', 'xx-YY', 'en;q=abc', ',,,;;;', 'a'.repeat(2000), '\xff\xfe', 'en-'.repeat(300)],
  'x-forwarded-for': ['garbage', '1.2.3.4, , ,', '999.999.999.999', '::1', '\xff', 'a'.repeat(2000), '127.0.0.1, 10.0.0.1'],
  'x-request-id': ['fz', 'a b', 'a'.repeat(65), '../x', '\xe9'],
  referer: ['http://127.0.0.1/%', 'javascript:alert(1)', 'http://[::1', 'http://localhost/../../admin?lang=%00', 'not a url', 'http://127.0.0.1/products?q=%E0%A4%A'],
  accept: ['application/json', 'text/html', '*/*', '', 'garbage/;;', 'text/csv'],
  cookie: [`fum_sid=${'A'.repeat(43)}`, 'fum_sid=%00', 'fum_sid=a; fum_sid=b', '=;;', 'lang=en', 'lang=%E0%A4%A', 'lang=xx', 'fum_sid=', `fum_sid=${'x'.repeat(2000)}`],
  authorization: ['Bearer', 'Bearer ', 'Bearer x', `Bearer ${'A'.repeat(43)}`, 'Basic YTpi', 'bearer abc', `Bearer ${'A'.repeat(101)}`, 'Bearer \xe9'],
  'x-csrf-token': ['', 'x', 'null', 'a'.repeat(300)],
  'content-encoding': ['gzip', 'deflate', 'identity', 'x-unknown'],
  'x-http-method-override': ['DELETE', 'PUT'],
};

export const headersArb: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 7, arbitrary: fc.constant({}) },
  {
    weight: 3,
    arbitrary: fc
      .uniqueArray(
        fc.constantFrom(...Object.keys(HEADER_VALUES)).chain((h) => fc.oneof(fc.constantFrom(...HEADER_VALUES[h]), h === 'idempotency-key' ? fc.stringMatching(/^fz-[a-f0-9]{12}$/) : fc.constantFrom(...HEADER_VALUES[h])).map((v) => [h, v] as const)),
        { maxLength: 4, selector: ([h]) => h },
      )
      .map((pairs) => Object.fromEntries(pairs)),
  },
);

const authArb = (role: Role): fc.Arbitrary<AuthMode> =>
  role === 'anonymous'
    ? fc.constantFrom<AuthMode>('none', 'none', 'cookie', 'cookie', 'cookie-no-csrf', 'cookie-bad-csrf')
    : fc.oneof(
        { weight: 8, arbitrary: fc.constant<AuthMode>('bearer') },
        { weight: 8, arbitrary: fc.constant<AuthMode>('cookie') },
        { weight: 1, arbitrary: fc.constant<AuthMode>('cookie-no-csrf') },
        { weight: 1, arbitrary: fc.constant<AuthMode>('cookie-bad-csrf') },
        { weight: 1, arbitrary: fc.constant<AuthMode>('both') },
        { weight: 1, arbitrary: fc.constant<AuthMode>('none') },
      );

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];

/** One request to one route. */
export function requestFor(route: string, w: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  const [method] = route.split(' ');
  const writes = method !== 'GET';
  return fc
    .record({
      method: fc.oneof({ weight: 19, arbitrary: fc.constant(method) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) }),
      path: pathArb(route, w),
      role: fc.oneof(fc.constant<Role>(likelyRole(route)), fc.constantFrom<Role>('anonymous', 'purchaser', 'vendor', 'admin')),
      csrfIn: fc.constantFrom<'header' | 'field'>('header', 'field'),
      headers: headersArb,
      body: writes ? bodyArb(route, w) : fc.oneof({ weight: 9, arbitrary: fc.constant<BodySpec>({ kind: 'none' }) }, { weight: 1, arbitrary: bodyArb(route, w) }),
    })
    .chain((r) => authArb(r.role).map((auth) => printable({ ...r, route, auth })));
}

/** fast-check prints a counterexample with this: the request in one line, long values cut. */
function printable(r: FuzzRequest): FuzzRequest {
  const cut = (v: string, n: number) => (v.length > n ? `${v.slice(0, n)}…(${v.length})` : v);
  const body = JSON.stringify(r.body, (_k, v: unknown) => (typeof v === 'string' ? cut(v, 200) : v));
  Object.defineProperty(r, fc.toStringMethod, {
    value: () => `${r.method} ${cut(r.path, 300)} [${r.route}] as ${r.role} (${r.auth}, csrf ${r.csrfIn}) headers ${cut(JSON.stringify(r.headers), 300)} body ${cut(body, 600)}`,
    enumerable: false,
  });
  return r;
}

/** One request to any of `routes`, chosen uniformly. */
export function requestArb(routes: readonly string[], w: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...routes).chain((route) => requestFor(route, w));
}
