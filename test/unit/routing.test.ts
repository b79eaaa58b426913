import { Contract } from '../../src/platform/http/contract';

/** A small contract with the path shapes the route table has to tell apart. */
function document(paths: string[]) {
  const operation = (id: string, path: string) => ({
    operationId: id,
    security: [],
    parameters: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
    responses: { '200': { description: 'ok' } },
  });
  return {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: Object.fromEntries(
      paths.map((p, i) => [p, i === 0 ? { get: operation(`op${i}`, p), delete: operation(`del${i}`, p) } : { get: operation(`op${i}`, p) }]),
    ),
  };
}

describe('the route table', () => {
  let contract: Contract;
  beforeAll(async () => {
    contract = await Contract.load(
      document(['/things/{thing_id}', '/things/{thing_id}/parts/{part_id}', '/things/current', '/things/{thing_id}/rotate', '/files/{name}.json', '/health/live', '/a/{x}/c', '/a/b/{y}', '/v/{major}.{minor}']),
    );
  });
  const route = (method: string, path: string) => {
    const m = contract.match(method, path);
    return m && 'operation' in m ? [m.operation.operationId, m.params] : m;
  };

  it('finds static and templated paths, with their parameters', () => {
    expect(route('GET', '/health/live')).toEqual(['op5', {}]);
    expect(route('GET', '/things/t1')).toEqual(['op0', { thing_id: 't1' }]);
    expect(route('GET', '/things/t1/parts/p2')).toEqual(['op1', { thing_id: 't1', part_id: 'p2' }]);
    expect(route('GET', '/things/t1/rotate')).toEqual(['op3', { thing_id: 't1' }]);
    expect(route('GET', '/files/report.v2.json')).toEqual(['op4', { name: 'report.v2' }]);
    // Two parameters in one segment: the first takes as much as it can.
    expect(route('GET', '/v/1.2.3')).toEqual(['op8', { major: '1.2', minor: '3' }]);
  });

  it('prefers a literal segment over a parameter, and falls back to the parameter when the rest does not match', () => {
    expect(route('GET', '/things/current')).toEqual(['op2', {}]);
    expect(route('GET', '/things/current/parts/p')).toEqual(['op1', { thing_id: 'current', part_id: 'p' }]);
    expect(route('GET', '/a/b/c')).toEqual(['op7', { y: 'c' }]);
    expect(route('GET', '/a/z/c')).toEqual(['op6', { x: 'z' }]);
  });

  it('percent-decodes parameters, and keeps a malformed escape as sent', () => {
    expect(route('GET', '/things/a%20b%2Fc')).toEqual(['op0', { thing_id: 'a b/c' }]);
    expect(route('GET', '/things/100%')).toEqual(['op0', { thing_id: '100%' }]);
  });

  it('matches no empty parameter, no extra or missing segment, and no path without a leading slash', () => {
    for (const path of ['/things/', '/things', '/things//parts/p', '/things/t1/', '/things/t1/parts', '/files/.json', '/nowhere', '', 'things/t1', '/health/live/x']) {
      expect([path, route('GET', path)]).toEqual([path, undefined]);
    }
  });

  it('names the methods a path has when the method is not one of them; HEAD is GET', () => {
    expect(route('POST', '/things/t1')).toEqual({ allow: ['DELETE', 'GET', 'HEAD'] });
    expect(route('HEAD', '/things/t1')).toEqual(['op0', { thing_id: 't1' }]);
    expect(route('DELETE', '/things/t1')).toEqual(['del0', { thing_id: 't1' }]);
  });
});
