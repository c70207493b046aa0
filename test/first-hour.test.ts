// The frictions a new user met in the first hour (issue "The first hour of a new user"): each
// spelling or message that misled, as it reads now. Packaging, types and the README quick start
// are checked by test/package.test.ts and scripts/verify-pack.js.
import mx, { autograd, nd } from '../lib/index';

describe('porting spellings', () => {
  test('asnumpy() reads data as nested arrays', () => {
    expect(nd.array([[1, 2], [3, 4]]).asnumpy()).toEqual([[1, 2], [3, 4]]);
  });

  test('as_in_context returns the array itself on the CPU and refuses a GPU', () => {
    const x = nd.ones([2]);
    expect(x.as_in_context(mx.cpu())).toBe(x);
    expect(x.asInContext(mx.cpu(0))).toBe(x);
    expect(() => x.as_in_context(mx.gpu())).toThrow(/no GPU backend/);
    expect(() => x.asInContext('cpu' as never)).toThrow(/^asInContext: ctx must be a Context such as mx\.cpu\(\)$/);
  });

  test('nd.elemwise_add / _sub / _mul / _div', () => {
    const a = nd.array([1, 2]);
    const b = nd.array([4, 8]);
    expect([nd.elemwise_add(a, b), nd.elemwise_sub(b, a), nd.elemwise_mul(a, b), nd.elemwise_div(b, a)].map((r) => r.toArray())).toEqual([
      [5, 10],
      [3, 6],
      [4, 16],
      [4, 4],
    ]);
  });

  test('nd.random_uniform / random_normal / random_randint draw like nd.random.*', () => {
    mx.random.seed(3);
    const flat = [nd.random_uniform(0, 1, [4]), nd.random_normal(0, 1, [4]), nd.random_randint(0, 9, [4])].map((r) => r.toArray());
    mx.random.seed(3);
    const nested = [nd.random.uniform(0, 1, [4]), nd.random.normal(0, 1, [4]), nd.random.randint(0, 9, [4])].map((r) => r.toArray());
    expect(flat).toEqual(nested);
  });
});

describe('messages in JavaScript words', () => {
  test('a second backward names retainGraph and record(() => ...)', () => {
    const x = nd.array([1, 2]);
    x.attachGrad();
    const y = autograd.record(() => x.mul(x));
    y.backward();
    expect(() => y.backward()).toThrow(/backward\(\{ retainGraph: true \}\)/);
    expect(() => y.backward()).toThrow(/autograd\.record\(\(\) => \.\.\.\)/);
  });

  test("reshape({ shape }) is MXNet's keyword form, not a shape of ()", () => {
    expect(nd.ones([2, 2]).reshape({ shape: [4] }).shape).toEqual([4]);
    expect(nd.ones([2, 2]).reshape({ shape: [-1], reverse: true }).shape).toEqual([4]);
  });

  test('nd.concat(a, b, 0) says how to pass the axis', () => {
    const a = nd.ones([2]);
    expect(() => nd.concat(a, a, 0 as never)).toThrow(
      /^concat: data\[2\] must be an NDArray, got the number 0; pass the axis as an option: nd\.concat\(\.\.\., \{ dim: 0 \}\)$/,
    );
    expect(() => nd.stack(a, a, 1 as never)).toThrow(/pass the axis as an option: nd\.stack\(\.\.\., \{ axis: 1 \}\)$/);
  });

  test('numbers in messages print as JavaScript writes them', () => {
    expect(() => nd.ones([2, 2]).split(2.5)).toThrow(/got 2\.5$/);
    expect(() => nd.ones([2.5])).toThrow(/got 2\.5$/);
    expect(() => nd.ones([2]).sum({ axis: 1.5 })).toThrow(/got 1\.5$/);
  });

  test('MXNet option spellings are accepted, wrong ones name the JS key', () => {
    const x = nd.array([[1, 2], [3, 4]]);
    expect(nd.dot(x, x, { transpose_a: true } as never).toArray()).toEqual(nd.dot(x, x, { transposeA: true }).toArray());
    expect(() => x.sum({ keepDims: true } as never)).toThrow(/unknown option 'keepDims' \(did you mean 'keepdims'\?\)/);
  });
});
