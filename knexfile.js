// The knex CLI loads this file; it registers the TypeScript loader and hands over to knexfile.ts.
require('tsx/cjs');
module.exports = require('./knexfile.ts').default;
