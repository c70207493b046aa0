// gluon.utils.clipGlobalNorm: MXNet 1.9's clip_global_norm.
import { pause } from '../autograd';
import { requireArray } from '../core/dispatch';
import { tidy } from '../core/tidy';
import type { NDArray } from '../ndarray';

/**
 * Rescales arrays in place so that the 2-norm of all of them together is at most maxNorm:
 * each is multiplied by min(maxNorm / (total + 1e-8), 1). Returns the total norm before
 * clipping; with checkIsfinite (the default) a NaN or infinite total warns, as MXNet does.
 */
export function clipGlobalNorm(arrays: NDArray[], maxNorm: number, checkIsfinite = true): number {
  if (!Array.isArray(arrays) || arrays.length === 0) throw new RangeError('clipGlobalNorm: arrays must be a non-empty list of NDArrays');
  arrays.forEach((a, i) => requireArray(a, 'clipGlobalNorm', `arrays[${i}]`));
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm)) throw new TypeError(`clipGlobalNorm: maxNorm must be a number, got ${maxNorm}`);
  return pause(() =>
    tidy(() => {
      const squares = arrays.map((a) => a.square().sum());
      const total = squares.reduce((acc, s) => acc.add(s.astype(acc.dtype))).sqrt();
      const norm = total.asScalar();
      if (checkIsfinite && !Number.isFinite(norm)) process.emitWarning('nan or inf is detected. Clipping results will be undefined.');
      const scale = total.add(1e-8).rdiv(maxNorm).minimum(1);
      for (const a of arrays) a.mulInPlace(scale.astype(a.dtype));
      return norm;
    }),
  );
}
