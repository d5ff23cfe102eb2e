import type { Knex } from 'knex';
import { dropColumns } from '../src/db/migration-helpers';

/**
 * An order's paperwork (issue 18 item 1): a government purchase names where and to whom the goods go, when they are
 * wanted, the procurement plan it is bought under (采购计划编号) and the title the invoice is made out to.
 * - `purchaser_addresses`: each purchasing unit's address book — several delivery addresses with a contact person
 *   and phone, at most one the default (a partial unique index);
 * - `purchasers.invoice_title`: the unit's invoice title (开票抬头), its name unless it says otherwise;
 * - on `orders`, what the order was placed with (kept as it was, whatever the address book says later). Orders placed
 *   before this migration have none (null).
 * A unit with an address and a "张老师 0571-87666666" contact in its profile gets that as its default address.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('purchaser_addresses', (t) => {
    t.increments('id');
    t.integer('purchaser_id').unsigned().notNullable().references('id').inTable('purchasers').onDelete('CASCADE');
    t.string('label', 50).notNullable().defaultTo('');
    t.string('address', 300).notNullable();
    t.string('contact_person', 50).notNullable();
    t.string('phone', 50).notNullable();
    t.boolean('is_default').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['purchaser_id']);
  });
  await knex.raw('CREATE UNIQUE INDEX purchaser_addresses_one_default ON purchaser_addresses (purchaser_id) WHERE is_default');
  await knex.schema.alterTable('purchasers', (t) => {
    t.string('invoice_title', 200).notNullable().defaultTo('');
  });
  await knex('purchasers').update({ invoice_title: knex.ref('name') });
  await knex.schema.alterTable('orders', (t) => {
    t.string('delivery_address', 300);
    t.string('contact_person', 50);
    t.string('contact_phone', 50);
    t.string('delivery_date', 10);
    t.string('budget_code', 50);
    t.string('invoice_title', 200);
  });

  const now = new Date().toISOString();
  const units: Array<{ id: number; address: string; contact: string }> = await knex('purchasers').whereNot('address', '').select('id', 'address', 'contact');
  for (const u of units) {
    const m = /^(.*?)[\s,，:：;；/]*((?:\+?\d[\d\-\s()（）]{4,}\d)(?:\s*转\s*\d+)?)\s*$/.exec((u.contact ?? '').trim());
    if (!m || !m[1].trim()) continue;
    await knex('purchaser_addresses').insert({ purchaser_id: u.id, label: '', address: u.address, contact_person: m[1].trim().slice(0, 50), phone: m[2].trim().slice(0, 50), is_default: true, created_at: now, updated_at: now });
  }
}

export async function down(knex: Knex): Promise<void> {
  await dropColumns(knex, 'orders', ['invoice_title', 'budget_code', 'delivery_date', 'contact_phone', 'contact_person', 'delivery_address']);
  await dropColumns(knex, 'purchasers', ['invoice_title']);
  await knex.schema.dropTableIfExists('purchaser_addresses');
}
