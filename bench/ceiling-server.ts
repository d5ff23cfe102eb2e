import type { AddressInfo } from 'node:net';
import Koa from 'koa';

/** The ceiling: a bare Koa app with one JSON route, in its own process, started like the real server (PORT=0). */
const app = new Koa();
app.use(async (ctx) => {
  ctx.body = { ok: true, items: [] };
});
const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST || '127.0.0.1', () => {
  process.stdout.write(`Listening on http://localhost:${(server.address() as AddressInfo).port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
