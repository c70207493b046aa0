// What a recorded graph keeps alive is what each op's backward reads (its saved-tensor flags,
// native/core/ops/registry.h): an intermediate that the formula does not read is freed when the
// user lets go of it, even while the graph waits for backward.
import { autograd, nd, NDArray } from '../lib';

const N = 1000;
const BYTES = N * N * 4; // one float32 N x N intermediate

// Records `use` on h = 2x (an intermediate only the graph can still hold), disposes h and what
// `use` names as dropped, and returns how many bytes that freed plus the head to backpropagate.
function freedWhileRecorded(
  x: NDArray,
  use: (h: NDArray) => { head: NDArray; dropped: NDArray[] },
): { freed: number; head: NDArray } {
  let freed = 0;
  let head!: NDArray;
  autograd.record(() => {
    const h = x.mul(2);
    const r = use(h);
    head = r.head;
    const before = nd.memory().numBytes;
    for (const a of [h, ...r.dropped]) a.dispose();
    freed = before - nd.memory().numBytes;
  });
  return { freed, head };
}

function variable(): NDArray {
  const x = nd.random.uniform(0.5, 1.5, [N, N]);
  x.attachGrad();
  return x;
}

describe('recording saves exactly what the backward reads', () => {
  test('a control: log saves its input, so disposing the input frees nothing', () => {
    const x = variable();
    const { freed, head } = freedWhileRecorded(x, (h) => ({ head: h.log().sum(), dropped: [] }));
    expect(freed).toBeLessThan(BYTES);
    head.backward();
    expect(x.grad!.at(0, 0).asScalar()).toBeCloseTo(1 / x.at(0, 0).asScalar(), 5);
  });

  test('take saves the indices only', () => {
    const x = variable();
    const idx = nd.array([3, 1], { dtype: 'int32' });
    const { freed, head } = freedWhileRecorded(x, (h) => ({ head: nd.take(h, idx).sum(), dropped: [] }));
    expect(freed).toBeGreaterThanOrEqual(BYTES);
    head.backward();
    const g = x.grad!;
    expect(g.at(3, 0).asScalar()).toBe(2);
    expect(g.at(1, N - 1).asScalar()).toBe(2);
    expect(g.at(0, 0).asScalar()).toBe(0);
  });

  test('pick saves the index only', () => {
    const x = variable();
    const idx = nd.zeros([N], { dtype: 'int32' });
    const { freed, head } = freedWhileRecorded(x, (h) => ({ head: nd.pick(h, idx).sum(), dropped: [] }));
    expect(freed).toBeGreaterThanOrEqual(BYTES);
    head.backward();
    expect(x.grad!.at(5, 0).asScalar()).toBe(2);
    expect(x.grad!.at(5, 1).asScalar()).toBe(0);
  });

  test('where saves the condition only', () => {
    const x = variable();
    const cond = nd.ones([N, N], { dtype: 'uint8' });
    const { freed, head } = freedWhileRecorded(x, (h) => {
      const other = h.mul(3);
      return { head: nd.where(cond, h, other).sum(), dropped: [other] };
    });
    expect(freed).toBeGreaterThanOrEqual(2 * BYTES);
    head.backward();
    expect(x.grad!.at(7, 7).asScalar()).toBe(2);
  });

  test('rsqrt saves its output only', () => {
    const x = variable();
    let y!: NDArray;
    const { freed, head } = freedWhileRecorded(x, (h) => {
      y = h.rsqrt();
      return { head: y.sum(), dropped: [] };
    });
    expect(freed).toBeGreaterThanOrEqual(BYTES);
    head.backward();
    const h00 = 2 * x.at(0, 0).asScalar();
    expect(x.grad!.at(0, 0).asScalar()).toBeCloseTo(2 * -0.5 * h00 ** -1.5, 5);
  });

  test('dropout saves its mask, not its result', () => {
    const x = variable();
    // record() trains by default, so dropout draws a mask.
    const { freed, head } = freedWhileRecorded(x, (h) => {
      const y = nd.dropout(h, { p: 0.5 });
      return { head: y.sum(), dropped: [y] };
    });
    expect(freed).toBeGreaterThanOrEqual(2 * BYTES);
    head.backward();
    const g = x.grad!.toTypedArray();
    expect(new Set(Array.from(g.slice(0, 1000)))).toEqual(new Set([0, 4]));
  });

  test('random.shuffle saves its permutation, not its result', () => {
    const x = variable();
    const { freed, head } = freedWhileRecorded(x, (h) => {
      const y = nd.random.shuffle(h);
      return { head: y.sum(), dropped: [y] };
    });
    expect(freed).toBeGreaterThanOrEqual(2 * BYTES);
    head.backward();
    expect(x.grad!.at(9, 9).asScalar()).toBe(2);
  });
});
