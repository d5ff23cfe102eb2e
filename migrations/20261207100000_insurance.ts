import type { Knex } from 'knex';

/**
 * First-unit insurance compensation (保险补偿, DESIGN §8, issue 16): the versioned rule table (by the year a policy
 * starts) with its history, the vendors' claims with their history, and the national scheme's records, kept apart.
 * Money in 分. A claim's `active_key` (policy number and policy year) is set while the claim is submitted or beyond
 * and cleared when it is rejected, so the same policy-year cannot be claimed twice, on either engine.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('insurance_rules', (t) => {
    t.increments('id');
    t.string('version', 20).notNullable().unique();
    t.integer('from_year').notNullable().unique();
    t.integer('rate_cap_bp').notNullable(); // counted premium ≤ this many basis points of the insured value
    t.text('percents').notNullable(); // JSON {international: [y1, y2, y3], domestic: […], provincial: […]}
    t.bigInteger('yearly_cap_fen'); // per vendor per calendar year; null: no cap
    t.string('note', 500);
    t.boolean('demo').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });
  await knex.schema.createTable('insurance_rule_history', (t) => {
    t.increments('id');
    t.integer('rule_id').unsigned().notNullable().references('id').inTable('insurance_rules');
    t.string('action', 20).notNullable(); // create | update
    t.text('before');
    t.text('after').notNullable();
    t.integer('actor_id').unsigned().references('id').inTable('users');
    t.string('at', 30).notNullable();
    t.index(['rule_id']);
  });
  await knex.schema.createTable('insurance_claims', (t) => {
    t.increments('id');
    t.string('claim_no', 30).unique();
    t.integer('vendor_id').unsigned().notNullable().references('id').inTable('vendors');
    t.integer('cert_id').unsigned().notNullable().references('id').inTable('certifications');
    t.string('cert_no', 64).notNullable();
    t.string('policy_no', 64).notNullable();
    t.string('insurer', 200).notNullable();
    t.bigInteger('insured_value_fen').notNullable();
    t.bigInteger('premium_fen').notNullable();
    t.string('policy_start', 10).notNullable();
    t.string('policy_end', 10).notNullable();
    t.integer('year').notNullable(); // the year the policy starts: the rule version and the yearly cap follow it
    t.integer('policy_year').notNullable();
    t.integer('unit_ordinal').notNullable();
    t.string('purchaser_name', 200).notNullable();
    t.string('contract_no', 64).notNullable();
    t.boolean('national_subsidy').notNullable().defaultTo(false);
    t.string('status', 20).notNullable();
    t.string('active_key', 100).unique();
    // The computation as submitted (drafts are computed when shown).
    t.string('rule_version', 20);
    t.text('rule_snapshot');
    t.bigInteger('counted_premium_fen');
    t.integer('percent');
    t.bigInteger('uncut_fen'); // the compensation before the yearly cap's cut
    t.bigInteger('compensation_fen');
    t.string('admin_opinion', 2000);
    t.string('finance_opinion', 2000);
    t.string('rejected_by', 20); // admin | finance
    t.string('submitted_at', 30);
    t.string('approved_at', 30);
    t.string('payout_due_at', 30);
    t.string('paid_at', 30);
    t.integer('paid_by').unsigned().references('id').inTable('users');
    t.integer('transfer_id').unsigned();
    t.integer('created_by').unsigned().references('id').inTable('users');
    t.boolean('demo').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['vendor_id', 'year']);
    t.index(['status']);
    t.index(['year', 'status']);
  });
  await knex.schema.createTable('insurance_claim_history', (t) => {
    t.increments('id');
    t.integer('claim_id').unsigned().notNullable().references('id').inTable('insurance_claims');
    t.string('action', 40).notNullable();
    t.string('from_status', 20);
    t.string('to_status', 20).notNullable();
    t.integer('actor_id').unsigned().references('id').inTable('users');
    t.string('note', 2000);
    t.string('at', 30).notNullable();
    t.index(['claim_id']);
  });
  await knex.schema.createTable('national_insurance_records', (t) => {
    t.increments('id');
    t.integer('year').notNullable();
    t.string('project_name', 200).notNullable();
    t.string('enterprise_name', 200).notNullable();
    t.integer('units').notNullable().defaultTo(1);
    t.bigInteger('insured_value_fen').notNullable();
    t.bigInteger('subsidy_fen').notNullable();
    t.string('note', 500);
    t.integer('created_by').unsigned().references('id').inTable('users');
    t.boolean('demo').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.index(['year']);
  });
  // The two rule versions of API.md; the department edits them or adds a later one (with history).
  const at = '2026-12-07T00:00:00.000Z';
  const same = (p: number) => [p, p, p];
  await knex('insurance_rules').insert([
    { version: 'pre-2021', from_year: 2015, rate_cap_bp: 300, percents: JSON.stringify({ international: same(80), domestic: same(80), provincial: same(80) }), yearly_cap_fen: null, note: '2021 年前：计补保费不超过保额 3%，补偿 80%，不设年度上限', demo: false, created_at: at, updated_at: at },
    { version: '2021', from_year: 2021, rate_cap_bp: 200, percents: JSON.stringify({ international: [90, 80, 70], domestic: [80, 70, 60], provincial: [70, 60, 50] }), yearly_cap_fen: 5_000_000_00, note: '2021 年起：计补保费不超过保额 2%，国际 90%、国内 80%、省内 70%，逐年递减 10 个百分点，每家企业每年不超过 500 万元', demo: false, created_at: at, updated_at: at },
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('national_insurance_records');
  await knex.schema.dropTableIfExists('insurance_claim_history');
  await knex.schema.dropTableIfExists('insurance_claims');
  await knex.schema.dropTableIfExists('insurance_rule_history');
  await knex.schema.dropTableIfExists('insurance_rules');
}
