// MXNet 1.9's gluon.data.vision.transforms. Each takes one image (H, W, C) or a batch (N, H, W, C)
// (ToTensor's output: (C, H, W) or (N, C, H, W)) and gives for a batch the stack of its per-image
// results, so a DataLoader runs a transformFirst of them once per gathered batch (`batchable`).
import { describe } from '../../../core/dispatch';
import type { DType } from '../../../core/dtype';
import { DTYPES } from '../../../core/dtype';
import { arange, array, random, take, tidy, where } from '../../../nd';
import { NDArray } from '../../../ndarray';
import { type Interpolation, resizeNHWC } from './resize';

export abstract class Transform {
  /** forward of a batch equals the stacked forwards of its samples */
  readonly batchable: boolean = true;
  abstract forward(x: NDArray): NDArray;
}

function imageDims(x: unknown, where: string, what = 'an image (H, W, C) or a batch (N, H, W, C)'): number[] {
  if (!(x instanceof NDArray)) throw new TypeError(`${where}: input must be an NDArray, got ${describe(x)}`);
  if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`${where}: input must be ${what}, got shape (${x.shape.join(', ')})`);
  return x.shape;
}

type Step = Transform | ((x: NDArray) => NDArray);

/** Applies its transforms in order; batchable when all of them are. */
class ComposeTransform extends Transform {
  readonly batchable: boolean;
  constructor(private readonly transforms: Step[]) {
    super();
    if (!Array.isArray(transforms)) throw new TypeError(`Compose: transforms must be an array, got ${describe(transforms)}`);
    transforms.forEach((t, k) => {
      if (typeof t !== 'function' && !(t instanceof Transform)) {
        throw new TypeError(`Compose: transforms[${k}] must be a Transform or a function, got ${describe(t)}`);
      }
    });
    this.batchable = transforms.every((t) => t instanceof Transform && t.batchable);
  }
  forward(x: NDArray): NDArray {
    return tidy(() => this.transforms.reduce((v, t) => (t instanceof Transform ? t.forward(v) : t(v)), x));
  }
}

export type Compose = ComposeTransform;
interface ComposeConstructor {
  new (transforms: Step[]): ComposeTransform;
  (transforms: Step[]): ComposeTransform;
  readonly prototype: ComposeTransform;
}
/**
 * `Compose([...])` as MXNet's Python writes it (and API-GLUON.md's first example), or
 * `new Compose([...])`: both give the same object, an instance of Compose.
 */
export const Compose = function Compose(transforms: Step[]): ComposeTransform {
  return new ComposeTransform(transforms);
} as unknown as ComposeConstructor;
Object.defineProperty(Compose, 'prototype', { value: ComposeTransform.prototype });

/** (H, W, C) -> (C, H, W) float32 divided by 255; a batch (N, H, W, C) -> (N, C, H, W). */
export class ToTensor extends Transform {
  forward(x: NDArray): NDArray {
    const axes = imageDims(x, 'ToTensor').length === 3 ? [2, 0, 1] : [0, 3, 1, 2];
    return tidy(() => x.astype('float32').transpose(axes).div(255));
  }
}

function channelValues(v: unknown, where: string, arg: string): number[] {
  const values = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(values) || values.length === 0 || !values.every((e) => typeof e === 'number' && Number.isFinite(e))) {
    throw new TypeError(`${where}: ${arg} must be a number or a non-empty array of numbers, got ${describe(v)}`);
  }
  return values;
}

/** (x - mean[c]) / std[c] on (C, H, W) or (N, C, H, W); mean and std are numbers or one per channel. */
export class Normalize extends Transform {
  private readonly mean: number[];
  private readonly std: number[];
  constructor(mean: number | number[] = 0, std: number | number[] = 1) {
    super();
    this.mean = channelValues(mean, 'Normalize', 'mean');
    this.std = channelValues(std, 'Normalize', 'std');
    if (this.std.includes(0)) throw new RangeError(`Normalize: std must not contain 0, got [${this.std.join(', ')}]`);
  }
  forward(x: NDArray): NDArray {
    const dims = imageDims(x, 'Normalize', 'a tensor (C, H, W) or a batch (N, C, H, W)');
    if (x.dtype !== 'float32' && x.dtype !== 'float64') {
      throw new TypeError(`Normalize: input must be float32 or float64 (apply ToTensor first), got ${x.dtype}`);
    }
    const c = dims[dims.length - 3];
    const perChannel = (v: number[], arg: string): NDArray => {
      if (v.length !== 1 && v.length !== c) throw new RangeError(`Normalize: ${arg} has ${v.length} values for ${c} channels`);
      return array(v.length === 1 ? Array(c).fill(v[0]) : v, { dtype: x.dtype, shape: [c, 1, 1] });
    };
    return tidy(() => x.sub(perChannel(this.mean, 'mean')).div(perChannel(this.std, 'std')));
  }
}

/** x.astype(dtype) (default float32). */
export class Cast extends Transform {
  constructor(private readonly dtype: DType = 'float32') {
    super();
    if (!DTYPES.includes(dtype)) throw new TypeError(`Cast: dtype must be one of ${DTYPES.join(', ')}, got ${describe(dtype) === 'string' ? `'${dtype}'` : describe(dtype)}`);
  }
  forward(x: NDArray): NDArray {
    if (!(x instanceof NDArray)) throw new TypeError(`Cast: input must be an NDArray, got ${describe(x)}`);
    return x.astype(this.dtype);
  }
}

function positiveInt(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/**
 * Resize to size (both sides), [width, height] (MXNet's order), or with keepRatio the short side
 * to size; interpolation 1 bilinear (default) or 0 nearest. Integer images are rounded back to
 * their dtype.
 */
export class Resize extends Transform {
  private readonly size: number | [number, number];
  constructor(size: number | [number, number], private readonly keepRatio = false, private readonly interpolation: Interpolation = 1) {
    super();
    const ok = positiveInt(size) || (Array.isArray(size) && size.length === 2 && size.every(positiveInt));
    if (!ok) throw new TypeError(`Resize: size must be a positive integer or [width, height], got ${Array.isArray(size) ? `[${size.join(', ')}]` : String(size)}`);
    if (interpolation !== 0 && interpolation !== 1) {
      throw new RangeError(`Resize: interpolation must be 0 (nearest) or 1 (bilinear), got ${String(interpolation)}`);
    }
    this.size = size;
  }
  private outSize(h: number, w: number): [number, number] {
    if (Array.isArray(this.size)) return [this.size[1], this.size[0]];
    const s = this.size;
    if (!this.keepRatio) return [s, s];
    return h > w ? [Math.floor((h * s) / w), s] : [s, Math.floor((w * s) / h)];
  }
  forward(x: NDArray): NDArray {
    const dims = imageDims(x, 'Resize');
    const [H, W, C] = dims.slice(-3);
    const [h, w] = this.outSize(H, W);
    return tidy(() => {
      const out = resizeNHWC(dims.length === 3 ? x.reshape([1, H, W, C]) : x, h, w, this.interpolation);
      const typed = x.dtype === 'float32' || x.dtype === 'float64' ? out.astype(x.dtype) : out.round().astype(x.dtype);
      return dims.length === 3 ? typed.reshape([h, w, C]) : typed;
    });
  }
}

/** Flips each image along its width with probability 0.5, drawn from the stream mx.random.seed sets. */
export class RandomFlipLeftRight extends Transform {
  forward(x: NDArray): NDArray {
    const dims = imageDims(x, 'RandomFlipLeftRight');
    const wAxis = dims.length - 2;
    const w = dims[wAxis];
    return tidy(() => {
      const flipped = take(x, arange(w, { dtype: 'int32' }).rsub(w - 1), { axis: wAxis });
      const n = dims.length === 3 ? 1 : dims[0];
      const flip = random.uniform(0, 1, [n], 'float32').lesser(0.5);
      if (dims.length === 4) return where(flip, flipped, x);
      return flip.asScalar() ? flipped : x.copy();
    });
  }
}
