import assert from 'node:assert/strict';
import { isCommonPassword, NewPassword } from '../../src/auth/password-rules';
import { CertificationInput } from '../../src/certification/schema';
import { AppError } from '../../src/errors';
import { ListingInput, ListingPatch, VendorRegistration } from '../../src/vendors/schema';
import { parseInput } from '../../src/web/validate';
import { creditCode } from '../helpers/factories';

const fails = (fn: () => unknown): { field?: string; key: string } => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AppError);
    return { field: e.field, key: e.messageKey };
  }
  assert.fail('expected a validation error');
};

describe('account and listing schemas', () => {
  describe('passwords', () => {
    it('8 to 128 characters, not on the common list (any case), not the username', () => {
      assert.equal(fails(() => parseInput(NewPassword, 'short1')).key, 'validation.password_length');
      assert.equal(fails(() => parseInput(NewPassword, 'x'.repeat(129))).key, 'validation.password_length');
      assert.equal(parseInput(NewPassword, 'x'.repeat(128)).length, 128);
      for (const p of ['password', 'PASSWORD123', '12345678', 'woaini1314', 'qwertyuiop', 'demo-password']) {
        assert.equal(isCommonPassword(p), true, p);
        assert.equal(fails(() => parseInput(NewPassword, p)).key, 'validation.password_common', p);
      }
      assert.equal(isCommonPassword('tangerine-harbour-42'), false);
      const reg = { enterpriseName: 'A', creditCode: creditCode(1), city: '杭州', contact: 'c', username: 'Zhang.San', password: 'zhang.san' };
      assert.deepEqual(fails(() => parseInput(VendorRegistration, { ...reg, password: 'zhang.SAN' })), { field: 'password', key: 'validation.password_username' });
    });
  });

  describe('vendor registration', () => {
    const ok = { enterpriseName: '温州某装备有限公司', creditCode: creditCode(5).toLowerCase(), city: 'wenzhou', contact: '0577-1', username: 'wz_vendor', password: 'tangerine-harbour-42' };
    it('normalises the credit code to upper case and the city to its name', () => {
      const v = parseInput(VendorRegistration, ok);
      assert.equal(v.creditCode, creditCode(5));
      assert.equal(v.city, '温州');
    });
    it('names the field that is wrong', () => {
      assert.equal(fails(() => parseInput(VendorRegistration, { ...ok, creditCode: '91330100MA2XXXXXX1' })).field, 'creditCode');
      assert.equal(fails(() => parseInput(VendorRegistration, { ...ok, city: '上海' })).field, 'city');
      assert.equal(fails(() => parseInput(VendorRegistration, { ...ok, username: 'a b' })).key, 'validation.username_chars');
      assert.equal(fails(() => parseInput(VendorRegistration, { ...ok, enterpriseName: '  ' })).key, 'validation.required');
    });
  });

  describe('listings', () => {
    const base = { certNo: 'C-1', title: 'T', model: 'M', price: '1234.5', unit: '台', stock: 3 };
    it('money is a string with at most two decimals → integer fen', () => {
      assert.equal(parseInput(ListingInput, base).price, 123450);
      assert.equal(parseInput(ListingInput, { ...base, price: '1234' }).price, 123400);
      assert.equal(parseInput(ListingInput, { ...base, price: '0.01' }).price, 1);
      for (const price of ['1e3', '12.345', ' 12', '1,00', '1,000', '--1', 1234]) {
        assert.deepEqual(fails(() => parseInput(ListingInput, { ...base, price })), { field: 'price', key: 'validation.money' }, String(price));
      }
      // Written right but past the money range: told the range, not the format (a new user's pass, 2026-12-08).
      for (const price of ['99999999999999', '10000000000000.00']) {
        assert.deepEqual(fails(() => parseInput(ListingInput, { ...base, price })), { field: 'price', key: 'validation.money_range' }, price);
      }
      assert.equal(parseInput(ListingInput, { ...base, price: '9999999999999.99' }).price, 999_999_999_999_999);
    });
    it('a price left empty is required, and one below zero is told it must be more than 0, not that its format is wrong', () => {
      for (const price of ['', null, undefined]) {
        assert.deepEqual(fails(() => parseInput(ListingInput, { ...base, price })), { field: 'price', key: 'validation.required' }, String(price));
      }
      for (const price of ['-1', '-0.5', ' -12', '－５']) {
        assert.deepEqual(fails(() => parseInput(ListingInput, { ...base, price })), { field: 'price', key: 'validation.positive' }, price);
      }
      assert.deepEqual(fails(() => parseInput(ListingInput, { ...base, price: '0' })), { field: 'price', key: 'validation.positive' });
    });
    it('stock is a whole number from JSON or a form string', () => {
      assert.equal(parseInput(ListingInput, { ...base, stock: '12' }).stock, 12);
      for (const stock of [-1, 1.5, '1.5', 'abc', '']) assert.equal(fails(() => parseInput(ListingInput, { ...base, stock })).field, 'stock', String(stock));
    });
    it('without a certificate it must be a boutique item; its field may be left out (API.md `field?`: the service takes the vendor’s)', () => {
      const { certNo: _c, ...noCert } = base;
      assert.equal(fails(() => parseInput(ListingInput, noCert)).key, 'validation.cert_or_boutique');
      assert.equal(parseInput(ListingInput, { ...noCert, boutique: true }).field, undefined);
      assert.equal(fails(() => parseInput(ListingInput, { ...noCert, boutique: true, field: 'nonsense' })).field, 'field');
      assert.equal(parseInput(ListingInput, { ...noCert, boutique: 'on', field: 'software' }).field, '软件');
    });
    it('a patch may change anything but must change something', () => {
      assert.equal(fails(() => parseInput(ListingPatch, {})).key, 'validation.nothing_to_change');
      assert.deepEqual(parseInput(ListingPatch, { stock: 0 }).stock, 0);
      assert.equal(parseInput(ListingPatch, { certNo: null }).certNo, null);
    });
  });

  describe('certificates', () => {
    const c = { certNo: 'ＺＪ-2026-1', productName: 'P', enterpriseName: 'E', creditCode: creditCode(2), kind: 'equipment', level: 'international', field: '船舶', year: '2026', validUntil: '2030-01-31' };
    it('folds full-width certificate numbers and accepts field codes', () => {
      const v = parseInput(CertificationInput, { ...c, field: 'ships' });
      assert.equal(v.certNo, 'ZJ-2026-1');
      assert.equal(v.field, '船舶');
      assert.equal(v.year, 2026);
      assert.deepEqual(v.indicators, undefined);
    });
    it('checks calendar dates and that validity does not end before the year', () => {
      assert.equal(fails(() => parseInput(CertificationInput, { ...c, validUntil: '2030-02-29' })).key, 'validation.date');
      assert.equal(fails(() => parseInput(CertificationInput, { ...c, validUntil: '2025-12-31' })).key, 'validation.valid_until_before_year');
      assert.equal(parseInput(CertificationInput, { ...c, validUntil: '2028-02-29' }).validUntil, '2028-02-29');
    });
    it('indicators as an array or one per line', () => {
      assert.deepEqual(parseInput(CertificationInput, { ...c, indicators: 'a\n b \n\nc；d' }).indicators, ['a', 'b', 'c', 'd']);
      assert.deepEqual(parseInput(CertificationInput, { ...c, indicators: ['x'] }).indicators, ['x']);
    });
  });
});
