// ndgrad/jest: `expect(x).toBeCloseToArray(y, { rtol, atol })` for NDArrays, TypedArrays,
// nested arrays and numbers. Register with `import 'ndgrad/jest'` (or require) in a test or a
// setupFilesAfterEach file; it calls expect.extend on jest's global expect.
import { assertAlmostEqual, type Numeric, type Tolerance } from './testing';

export const matchers = {
  toBeCloseToArray(received: Numeric, expected: Numeric, tol: Tolerance = {}) {
    try {
      assertAlmostEqual(received, expected, tol);
      return { pass: true, message: () => 'expected arrays to differ, but they are close' };
    } catch (err) {
      return { pass: false, message: () => (err as Error).message };
    }
  },
};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toBeCloseToArray(expected: Numeric, tol?: Tolerance): R;
    }
  }
}

const globalExpect = (globalThis as { expect?: { extend(m: object): void } }).expect;
if (globalExpect) globalExpect.extend(matchers);
