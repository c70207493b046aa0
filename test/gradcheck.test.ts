// Float64 central-difference gradient check of every op in the native registry. The recipe
// table (test/helpers/op-recipes.ts) says how to call each op through the public API; an op
// without a recipe fails the suite, so no op can skip this check.
import { checkNumericGradient } from '../lib/testing';
import { type Domain, FLAG_CREATION, FLAG_MUTATES, ops, recipes } from './helpers/op-recipes';

describe('float64 numeric gradient check over the op registry', () => {
  // Creation ops have no inputs; mutating ops (the optimizer updates) are never recorded, which
  // test/optim-ops.test.ts checks.
  const EXEMPT = FLAG_CREATION | FLAG_MUTATES;
  test('every registry op has a gradient-check recipe (creation and mutating ops excepted)', () => {
    const missing = ops.filter((o) => !(o.flags & EXEMPT) && !recipes[o.name]).map((o) => o.name);
    expect(missing).toEqual([]);
  });

  const checked = ops.filter((o) => !(o.flags & EXEMPT) && recipes[o.name]);
  describe.each(checked.map((o) => [o.name, o] as const))('%s', (name, o) => {
    const cases = recipes[name](o.domain as Domain);
    test.each(cases.map((c) => [c.label, c] as const))('%s', (_label, c) => {
      checkNumericGradient(c.fn, c.inputs, { rtol: 1e-5, atol: 1e-7 });
    });
  });
});
