import { ConflictError, InvalidInputError, NotFoundError } from '../../src/platform/errors';
import { divideHalfEven, totalsByCurrency, weightedAmount } from '../../src/modules/crm/domain/money';
import { Pipeline, summarize, type StageInput } from '../../src/modules/crm/domain/pipeline';

const STAGES: StageInput[] = [
  { name: 'Qualification', probability: 10, kind: 'open' },
  { name: 'Proposal', probability: 50, kind: 'open' },
  { name: 'Won', probability: 100, kind: 'won' },
  { name: 'Lost', probability: 0, kind: 'lost' },
];

const pipeline = () => Pipeline.create('ten_1', { name: 'Sales', stages: STAGES });
const fieldsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidInputError) return err.fields.map((f) => f.pointer);
    throw err;
  }
  throw new Error('did not throw');
};

describe('Pipeline', () => {
  it('has its stages in order, each with an id, at version 1', () => {
    const p = pipeline();
    expect(p.snapshot.stages.map((s) => s.name)).toEqual(['Qualification', 'Proposal', 'Won', 'Lost']);
    expect(p.snapshot.stages.every((s) => /^stg_/.test(s.id))).toBe(true);
    expect(p.version).toBe(1);
    expect(p.firstOpenStage.name).toBe('Qualification');
    expect(p.wonStage.kind).toBe('won');
    expect(p.lostStage.kind).toBe('lost');
  });

  it('needs exactly one won and one lost stage and at least one open stage', () => {
    expect(fieldsOf(() => Pipeline.create('ten_1', { name: 'x', stages: STAGES.filter((s) => s.kind !== 'won') }))).toEqual(['/stages']);
    expect(fieldsOf(() => Pipeline.create('ten_1', { name: 'x', stages: [...STAGES, { name: 'Lost 2', probability: 0, kind: 'lost' }] }))).toEqual(['/stages']);
    expect(fieldsOf(() => Pipeline.create('ten_1', { name: 'x', stages: STAGES.filter((s) => s.kind !== 'open') }))).toEqual(['/stages']);
  });

  it('fixes the probability of the won (100) and lost (0) stages, and keeps stage names unique ignoring case', () => {
    const stages = [STAGES[0], { ...STAGES[1], name: 'QUALIFICATION' }, { ...STAGES[2], probability: 99 }, { ...STAGES[3], probability: 1 }];
    expect(fieldsOf(() => Pipeline.create('ten_1', { name: 'x', stages }))).toEqual(['/stages/1/name', '/stages/2/probability', '/stages/3/probability']);
    const p = pipeline();
    expect(fieldsOf(() => p.changeStage(p.wonStage.id, { probability: 90 }))).toEqual(['/probability']);
    expect(() => p.changeStage(p.firstOpenStage.id, { name: 'proposal' })).toThrow(ConflictError);
  });

  it('adds open stages only, where asked, and bumps its version with every change', () => {
    const p = pipeline();
    expect(() => p.addStage({ name: 'Won again', probability: 100, kind: 'won' }, undefined)).toThrow(ConflictError);
    expect(() => p.addStage({ name: 'Lost again', probability: 0, kind: 'lost' }, undefined)).toThrow(ConflictError);
    const demo = p.addStage({ name: 'Demo', probability: 30, kind: 'open' }, 1);
    expect(p.snapshot.stages.map((s) => s.name)).toEqual(['Qualification', 'Demo', 'Proposal', 'Won', 'Lost']);
    expect(p.version).toBe(2);
    p.changeStage(demo.id, { probability: 35 });
    expect(p.stage(demo.id)?.probability).toBe(35);
    expect(p.version).toBe(3);
    p.changeStage(demo.id, { probability: 35 });
    expect(p.version).toBe(3);
    expect(() => p.changeStage('stg_missing', { name: 'x' })).toThrow(NotFoundError);
  });

  it('reorders to a permutation of its stages only', () => {
    const p = pipeline();
    const ids = p.snapshot.stages.map((s) => s.id);
    expect(fieldsOf(() => p.reorder(ids.slice(1)))).toEqual(['/stage_ids']);
    expect(fieldsOf(() => p.reorder([...ids.slice(1), 'stg_other']))).toEqual(['/stage_ids/3', '/stage_ids']);
    p.reorder([...ids].reverse());
    expect(p.snapshot.stages.map((s) => s.name)).toEqual(['Lost', 'Won', 'Proposal', 'Qualification']);
    expect(p.firstOpenStage.name).toBe('Proposal');
  });

  it('removes an open stage, but never the won, the lost or the last open one; one that holds opportunities needs an open stage to move them to', () => {
    const p = pipeline();
    const [qual, proposal, won, lost] = p.snapshot.stages;
    expect(() => p.removeStage(won.id, 0, undefined)).toThrow(ConflictError);
    expect(() => p.removeStage(lost.id, 0, undefined)).toThrow(ConflictError);
    expect(() => p.removeStage(qual.id, 2, undefined)).toThrow(/holds 2 opportunities/);
    expect(fieldsOf(() => p.removeStage(qual.id, 2, won.id))).toEqual(['/query/move_to']);
    expect(fieldsOf(() => p.removeStage(qual.id, 2, qual.id))).toEqual(['/query/move_to']);
    expect(p.removeStage(qual.id, 2, proposal.id)).toEqual(proposal);
    expect(p.snapshot.stages.map((s) => s.id)).toEqual([proposal.id, won.id, lost.id]);
    expect(() => p.removeStage(proposal.id, 0, undefined)).toThrow(/only open stage/);
  });
});

describe('money and the pipeline summary', () => {
  it('rounds half to even, exactly', () => {
    expect([5n, 15n, 25n, 35n, 14n, 16n].map((n) => divideHalfEven(n, 10n))).toEqual([0n, 2n, 2n, 4n, 1n, 2n]);
    expect(weightedAmount(2999999999999997n, 50)).toBe(1499999999999998n);
    expect(weightedAmount(10n ** 20n + 1n, 33)).toBe(33000000000000000000n);
  });

  it('sums amounts per currency only, never across currencies', () => {
    expect(totalsByCurrency([{ amount: 5, currency: 'USD' }, null, { amount: 10, currency: 'EUR' }, { amount: 7, currency: 'USD' }, undefined])).toEqual([
      { currency: 'EUR', amount: 10n },
      { currency: 'USD', amount: 12n },
    ]);
    expect(totalsByCurrency([])).toEqual([]);
  });

  it('gives every stage in order its count, amounts and weighted amounts', () => {
    const p = pipeline();
    const [qual, proposal, won, lost] = p.snapshot.stages;
    const figures = summarize(p.snapshot.stages, [
      { stageId: qual.id, currency: 'EUR', count: 2, amount: 15n },
      { stageId: qual.id, currency: null, count: 1, amount: 0n },
      { stageId: qual.id, currency: 'USD', count: 1, amount: 25n },
      { stageId: won.id, currency: 'EUR', count: 1, amount: 999n },
    ]);
    expect(figures.map((f) => [f.stage.id, f.count, f.amounts, f.weightedAmounts])).toEqual([
      [qual.id, 4, [{ currency: 'EUR', amount: 15n }, { currency: 'USD', amount: 25n }], [{ currency: 'EUR', amount: 2n }, { currency: 'USD', amount: 2n }]],
      [proposal.id, 0, [], []],
      [won.id, 1, [{ currency: 'EUR', amount: 999n }], [{ currency: 'EUR', amount: 999n }]],
      [lost.id, 0, [], []],
    ]);
  });
});
