// Image resizing as two small matrix products: an interpolation matrix (out x in) per axis,
// built with nd ops, applied along H and then W. Bilinear weights follow OpenCV's INTER_LINEAR
// (pixel centres at +0.5, source coordinates clamped at the border), which MXNet's image.resize
// calls; nearest follows INTER_NEAREST (floor(dst * in / out)).
import { arange, dot, oneHot, tidy } from '../../../nd';
import type { NDArray } from '../../../ndarray';

export type Interpolation = 0 | 1;

function interpolationMatrix(inSize: number, outSize: number, interp: Interpolation): NDArray {
  return tidy(() => {
    const scale = inSize / outSize;
    const dst = arange(outSize, { dtype: 'float64' });
    if (interp === 0) return oneHot(dst.mul(scale).floor().minimum(inSize - 1), inSize, { dtype: 'float32' });
    const src = dst.add(0.5).mul(scale).sub(0.5).maximum(0);
    const x0 = src.floor().minimum(inSize - 1);
    const lam = src.sub(x0).reshape([outSize, 1]);
    const x1 = x0.add(1).minimum(inSize - 1);
    const w0 = oneHot(x0, inSize, { dtype: 'float64' }).mul(lam.rsub(1));
    return w0.add(oneHot(x1, inSize, { dtype: 'float64' }).mul(lam)).astype('float32');
  });
}

/** x (N, H, W, C) -> (N, h, w, C) in float32. */
export function resizeNHWC(x: NDArray, h: number, w: number, interp: Interpolation): NDArray {
  return tidy(() => {
    const [n, H, W, c] = x.shape;
    const f = x.dtype === 'float32' ? x : x.astype('float32');
    const alongH = dot(interpolationMatrix(H, h, interp), f.transpose([1, 0, 2, 3]).reshape([H, n * W * c]));
    const hFirst = alongH.reshape([h, n, W, c]).transpose([2, 0, 1, 3]).reshape([W, h * n * c]);
    const alongW = dot(interpolationMatrix(W, w, interp), hFirst);
    return alongW.reshape([w, h, n, c]).transpose([2, 1, 0, 3]);
  });
}
