import type { Knex } from 'knex';
import { normalizeSearch, productSearchText } from '../src/search-text';

/**
 * Search that finds (issue 18 item 4).
 *
 * - `search_synonyms`: the synonym table the department edits (/admin/search-synonyms). A row says that a query word
 *   or phrase (`term`) is also found by its `synonyms` (a JSON array); `two_way` rows work backwards too, so each
 *   synonym finds the term and the others (磁共振 ↔ MR ↔ MRI), while a one-way row only widens its term (CT机 → CT).
 *   Words are kept normalised (NFKC, lower case), as queries are. A change bumps the catalogue version (see
 *   20261127001000_catalogue_perf), since search results depend on it. The rows below are the starting table.
 * - Every product's search text is written again in the new index form (src/search-text.ts): tokens between spaces,
 *   so a Latin word can be matched as a whole token and a model code's parts after its hyphens.
 */
const STARTING: Array<{ term: string; synonyms: string[]; twoWay: boolean }> = [
  { term: 'CT机', synonyms: ['CT'], twoWay: false },
  { term: '计算机断层扫描', synonyms: ['CT'], twoWay: false },
  { term: '磁共振', synonyms: ['MR', 'MRI', '核磁共振', '核磁', '磁共振成像'], twoWay: true },
  { term: 'CNC', synonyms: ['数控'], twoWay: true },
  { term: '数控加工中心', synonyms: ['加工中心'], twoWay: false },
  { term: '工作母机', synonyms: ['机床'], twoWay: false },
  { term: '彩超', synonyms: ['彩色多普勒超声', '超声诊断'], twoWay: false },
  { term: 'B超', synonyms: ['超声诊断'], twoWay: false },
  { term: 'DSA', synonyms: ['数字减影血管造影'], twoWay: true },
  { term: 'PET', synonyms: ['正电子发射断层扫描'], twoWay: true },
  { term: 'DR', synonyms: ['数字化X射线摄影', '数字化医用X射线摄影'], twoWay: false },
  { term: 'X光', synonyms: ['X射线'], twoWay: true },
  { term: 'ECMO', synonyms: ['体外膜肺氧合', '人工肺'], twoWay: true },
  { term: '放疗设备', synonyms: ['直线加速器'], twoWay: false },
  { term: '内镜', synonyms: ['内窥镜'], twoWay: true },
  { term: '胃镜', synonyms: ['内窥镜'], twoWay: false },
  { term: '血透', synonyms: ['血液透析'], twoWay: false },
  { term: '生化仪', synonyms: ['生化分析'], twoWay: false },
  { term: 'AGV', synonyms: ['自动导引车', '无人搬运车'], twoWay: true },
  { term: '无人机', synonyms: ['UAV', '无人飞机'], twoWay: true },
  { term: '机械臂', synonyms: ['工业机器人', '协作机器人'], twoWay: false },
  { term: '充电站', synonyms: ['充电桩'], twoWay: false },
  { term: '挖机', synonyms: ['挖掘机'], twoWay: false },
  { term: '勾机', synonyms: ['挖掘机'], twoWay: false },
  { term: '吊车', synonyms: ['起重机'], twoWay: false },
  { term: 'TBM', synonyms: ['盾构机'], twoWay: true },
  { term: 'HIS', synonyms: ['医院信息系统'], twoWay: true },
  { term: 'MES', synonyms: ['制造执行系统'], twoWay: true },
  { term: 'CAD', synonyms: ['计算机辅助设计'], twoWay: true },
  { term: '光伏', synonyms: ['太阳能'], twoWay: true },
  { term: '3D打印', synonyms: ['增材制造'], twoWay: true },
  { term: '新能源车', synonyms: ['新能源汽车', '纯电动', '燃料电池'], twoWay: false },
];

const EVENTS = ['insert', 'update', 'delete'];

/** The search text of every product, in batches, by `text` (the new form going up, the old one coming down). */
async function reindex(knex: Knex, text: (p: { title: string; model: string; field: string; certNo: string | null; vendorName: string; description: string }) => string): Promise<void> {
  for (let after = 0; ; ) {
    const rows: Array<{ id: number; title: string; model: string; field: string; cert_no: string | null; vendor_name: string; description: string }> = await knex('products')
      .leftJoin('certifications', 'certifications.id', 'products.cert_id')
      .join('vendors', 'vendors.id', 'products.vendor_id')
      .select('products.id', 'products.title', 'products.model', 'products.field', 'certifications.cert_no', 'vendors.name as vendor_name', 'products.description')
      .where('products.id', '>', after)
      .orderBy('products.id')
      .limit(500);
    if (rows.length === 0) return;
    for (const r of rows) {
      await knex('products')
        .where('id', r.id)
        .update({ search_text: text({ title: r.title, model: r.model ?? '', field: r.field, certNo: r.cert_no, vendorName: r.vendor_name, description: r.description ?? '' }) });
    }
    after = rows[rows.length - 1].id;
  }
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('search_synonyms', (t) => {
    t.increments('id');
    t.string('term', 40).notNullable().unique();
    t.text('synonyms').notNullable();
    t.boolean('two_way').notNullable().defaultTo(true);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });
  if (knex.client.config.client === 'pg') {
    await knex.raw(`CREATE TRIGGER search_synonyms_catalogue_mark AFTER INSERT OR UPDATE OR DELETE ON search_synonyms
      FOR EACH STATEMENT EXECUTE FUNCTION catalogue_mark()`);
  } else {
    for (const event of EVENTS) {
      await knex.raw(`CREATE TRIGGER search_synonyms_catalogue_bump_${event} AFTER ${event.toUpperCase()} ON search_synonyms
        BEGIN UPDATE catalogue_state SET version = version + 1 WHERE id = 1; END`);
    }
  }
  const now = new Date().toISOString();
  await knex('search_synonyms').insert(
    STARTING.map((s) => ({ term: normalizeSearch(s.term), synonyms: JSON.stringify(s.synonyms.map(normalizeSearch)), two_way: s.twoWay, created_at: now, updated_at: now })),
  );
  await reindex(knex, productSearchText);
}

export async function down(knex: Knex): Promise<void> {
  // The search text as 20261127001100_catalogue_search_index left it: the parts normalised, then the end marker.
  await reindex(knex, (p) => normalizeSearch([p.title, p.model, p.certNo ?? '', p.field, p.vendorName, p.description].join(' ')) + '  ');
  if (knex.client.config.client === 'pg') {
    await knex.raw('DROP TRIGGER IF EXISTS search_synonyms_catalogue_mark ON search_synonyms');
  } else {
    for (const event of EVENTS) await knex.raw(`DROP TRIGGER IF EXISTS search_synonyms_catalogue_bump_${event}`);
  }
  await knex.schema.dropTableIfExists('search_synonyms');
}
