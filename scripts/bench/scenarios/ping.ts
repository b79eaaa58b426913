/**
 * `GET /v1/health/live`: no database, no credential checked, so it shows what the stack costs per
 * request before any work. Only when named: docs/benchmarks.md's tables are get by id and list 50.
 */
import type { Scenario } from '../scenario';

const PATH = '/v1/health/live';

export const ping: Scenario = {
  name: 'ping',
  label: 'ping',
  onlyWhenNamed: true,
  request: () => ({ path: PATH }),
  check({ body }) {
    if (body.status !== 'ok') throw new Error('not {"status":"ok"}');
    return body;
  },
  raw: ({ send }) => ({
    matches: (method, path) => method === 'GET' && path === PATH,
    async handle(_req, res) {
      send(res, 200, JSON.stringify({ status: 'ok' }));
    },
  }),
};
