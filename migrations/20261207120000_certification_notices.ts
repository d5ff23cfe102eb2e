import type { Knex } from 'knex';

/**
 * The public notices become every notice's home (issue 15 item 5): a certification round's 拟认定名单 公示 is a row of
 * `notices` with `round_id` (and no `case_id`), so `GET /api/v1/notices`, `/notices` and `/notices/:id` show it beside
 * the single-source notices, under one sequence of ids. Exactly one of `case_id` and `round_id` is set. The rows of
 * `cert_notices` move over (in their order) and that table goes.
 */
const pg = (knex: Knex) => knex.client.config.client === 'pg';

const COLUMNS = 'id, case_id, type, title, content, published_at, period_ends_at';

async function rebuildSqlite(knex: Knex, withRound: boolean): Promise<void> {
  await knex.raw(`CREATE TABLE notices_new (
    id integer not null primary key autoincrement,
    case_id integer ${withRound ? 'null' : 'not null'} references fp_cases(id),
    ${withRound ? 'round_id integer null references cert_rounds(id),' : ''}
    type varchar(20) not null,
    title varchar(300) not null,
    content text not null,
    published_at varchar(30) not null,
    period_ends_at varchar(30)
    ${withRound ? ', CONSTRAINT notices_one_owner CHECK ((case_id IS NULL) <> (round_id IS NULL))' : ''}
  )`);
  await knex.raw(`INSERT INTO notices_new (${COLUMNS}${withRound ? ', round_id' : ''}) SELECT ${COLUMNS}${withRound ? ', NULL' : ''} FROM notices ${withRound ? '' : 'WHERE case_id IS NOT NULL'} ORDER BY id`);
  await knex.raw('DROP TABLE notices');
  await knex.raw('ALTER TABLE notices_new RENAME TO notices');
  await knex.raw('CREATE INDEX notices_type_published_at_index ON notices (type, published_at)');
  await knex.raw('CREATE INDEX notices_case_id_index ON notices (case_id)');
  if (withRound) await knex.raw('CREATE INDEX notices_round_id_index ON notices (round_id)');
}

export async function up(knex: Knex): Promise<void> {
  if (pg(knex)) {
    await knex.raw('ALTER TABLE notices ALTER COLUMN case_id DROP NOT NULL');
    await knex.schema.alterTable('notices', (t) => {
      t.integer('round_id').unsigned().references('id').inTable('cert_rounds');
      t.index(['round_id']);
    });
    await knex.raw('ALTER TABLE notices ADD CONSTRAINT notices_one_owner CHECK ((case_id IS NULL) <> (round_id IS NULL))');
  } else {
    await rebuildSqlite(knex, true);
  }
  await knex.raw(
    `INSERT INTO notices (round_id, case_id, type, title, content, published_at, period_ends_at)
     SELECT round_id, NULL, type, title, content, published_at, period_ends_at FROM cert_notices ORDER BY id`,
  );
  await knex.schema.dropTable('cert_notices');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.createTable('cert_notices', (t) => {
    t.increments('id');
    t.integer('round_id').unsigned().notNullable().references('id').inTable('cert_rounds');
    t.string('type', 20).notNullable();
    t.string('title', 300).notNullable();
    t.text('content').notNullable();
    t.string('published_at', 30).notNullable();
    t.string('period_ends_at', 30);
    t.index(['round_id']);
  });
  await knex.raw(
    `INSERT INTO cert_notices (round_id, type, title, content, published_at, period_ends_at)
     SELECT round_id, type, title, content, published_at, period_ends_at FROM notices WHERE round_id IS NOT NULL ORDER BY id`,
  );
  if (pg(knex)) {
    await knex('notices').whereNotNull('round_id').delete();
    await knex.raw('ALTER TABLE notices DROP CONSTRAINT notices_one_owner');
    await knex.schema.alterTable('notices', (t) => t.dropColumn('round_id'));
    await knex.raw('ALTER TABLE notices ALTER COLUMN case_id SET NOT NULL');
  } else {
    await rebuildSqlite(knex, false);
  }
}
