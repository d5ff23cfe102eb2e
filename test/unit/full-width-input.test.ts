import assert from 'node:assert/strict';
import { z } from 'zod';
import { CheckoutInput } from '../../src/orders/schema';
import { dateInput, halfWidth, moneyInput, parsingTypedBody, wholeNumber } from '../../src/schema';

/**
 * Digits typed with a Chinese input method are full-width (０–９, ．, －): an amount, a count, a day or a phone number
 * typed that way is read as its ASCII self instead of being refused as "not a number" (a new-user walk, 2026-12-07).
 */
describe('full-width digits in numbers, amounts, days and phone numbers', () => {
  it('halfWidth turns the full-width forms into ASCII and leaves Chinese characters as they are', () => {
    assert.equal(halfWidth('１２３４．５０'), '1234.50');
    assert.equal(halfWidth('０５７１－８８８８８８８８'), '0571-88888888');
    assert.equal(halfWidth('２０２６－１２－０７'), '2026-12-07');
    assert.equal(halfWidth('\u3000５\u3000'), ' 5 ');
    assert.equal(halfWidth('设备科'), '设备科');
  });

  it('an amount, a whole number and a day typed full-width parse as typed in ASCII', () => {
    assert.equal(moneyInput.parse('１２３４．５０'), 123_450);
    assert.equal(wholeNumber(0, 100).parse('５'), 5);
    assert.equal(dateInput.parse('２０２６－１２－０７'), '2026-12-07');
  });

  it('in a JSON body an amount is API.md\'s ASCII: full-width digits there are refused (a form is typed by a person, a body is not)', () => {
    assert.equal(parsingTypedBody(() => moneyInput.safeParse('１２３４．５０')).success, false);
    assert.equal(parsingTypedBody(() => moneyInput.parse('1234.50')), 123_450);
  });

  it('what is wrong stays wrong: letters, two points, a day that does not exist', () => {
    assert.equal(moneyInput.safeParse('１２．３．４').success, false);
    assert.equal(wholeNumber(0, 100).safeParse('ａ').success, false);
    assert.equal(dateInput.safeParse('２０２６－０２－３０').success, false);
  });

  it('the checkout form keeps the phone number in ASCII', () => {
    const out = CheckoutInput.parse({ deliveryAddress: '杭州', contactPerson: '张三', contactPhone: '０５７１－８８８８８８８８', deliveryDate: '２０２６－１２－０９', invoiceTitle: '某医院' }) as z.output<typeof CheckoutInput>;
    assert.equal(out.contactPhone, '0571-88888888');
    assert.equal(out.deliveryDate, '2026-12-09');
  });
});
