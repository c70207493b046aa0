// MXNet 1.9's vision.MNIST and vision.FashionMNIST, read from local idx files (ndgrad downloads
// nothing). Items are [uint8 image (28, 28, 1), label number]; batches gather both arrays natively.
import { existsSync } from 'fs';
import { homedir } from 'os';
import { join } from 'path';
import { describe } from '../../../core/dispatch';
import { readOptions } from '../../../core/options';
import { array } from '../../../nd';
import type { Batch } from '../batchify';
import { ArrayDataset, Dataset } from '../dataset';
import { readIdx } from './idx';

export interface MNISTOptions {
  /** the folder holding the idx files (default: the first of the folders listed in docs/data.md that has them) */
  root?: string;
  train?: boolean;
  /** (image, label) => item, MXNet's per-sample transform of the vision datasets */
  transform?: (image: unknown, label: number) => unknown;
}

const MNIST_OPTIONS = { root: [], train: [], transform: [] };

const FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
};

/** The file's path, gzip'd (MXNet's names) or not, or undefined. */
function findFile(folder: string, name: string): string | undefined {
  return [join(folder, `${name}.gz`), join(folder, name)].find((p) => existsSync(p));
}

export function defaultRoots(name: string): string[] {
  const roots: string[] = [];
  if (process.env.NDGRAD_DATA) roots.push(join(process.env.NDGRAD_DATA, name));
  roots.push(join(homedir(), '.ndgrad', 'datasets', name));
  if (name === 'fashion-mnist') roots.push('/usr/share/datasets/fashion-mnist');
  return roots;
}

function howToGet(name: string): string {
  const url = name === 'mnist' ? 'http://yann.lecun.com/exdb/mnist/ (or any MNIST mirror)' : 'https://github.com/zalandoresearch/fashion-mnist (data/fashion)';
  const debian = name === 'fashion-mnist' ? " On Debian or Ubuntu: 'sudo apt-get install dataset-fashion-mnist'." : '';
  return `Put the four idx files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; gzip'd or not) from ${url} in one of these folders, or pass { root }.${debian}`;
}

class IdxImageDataset extends Dataset {
  private readonly arrays: ArrayDataset;
  private readonly itemTransform?: (image: unknown, label: number) => unknown;

  constructor(className: string, name: string, options: MNISTOptions) {
    super();
    const o = readOptions(className, options, MNIST_OPTIONS) as MNISTOptions;
    if (o.root !== undefined && typeof o.root !== 'string') throw new TypeError(`${className}: root must be a string, got ${describe(o.root)}`);
    if (o.transform !== undefined && typeof o.transform !== 'function') throw new TypeError(`${className}: transform must be a function, got ${describe(o.transform)}`);
    const [imageName, labelName] = o.train === false ? FILES.test : FILES.train;
    const roots = o.root !== undefined ? [o.root] : defaultRoots(name);
    const found = roots.map((r) => [findFile(r, imageName), findFile(r, labelName)]).find(([i, l]) => i && l);
    if (!found) {
      throw new Error(`${className}: no ${imageName} and ${labelName} (.gz or raw) in ${roots.map((r) => `'${r}'`).join(', ')}. ${howToGet(name)}`);
    }
    const images = readIdx(found[0] as string, 3);
    const labels = readIdx(found[1] as string, 1);
    if (images.shape[0] !== labels.shape[0]) {
      throw new Error(`${className}: ${found[0]} holds ${images.shape[0]} images but ${found[1]} holds ${labels.shape[0]} labels`);
    }
    const data = array(images.data, { dtype: 'uint8', shape: [...images.shape, 1] });
    const label8 = array(labels.data, { dtype: 'uint8' });
    this.arrays = new ArrayDataset(data, label8.astype('int32'));
    label8.dispose();
    this.itemTransform = o.transform;
  }

  get length(): number {
    return this.arrays.length;
  }

  at(i: number): unknown {
    const item = this.arrays.at(i) as [unknown, number];
    return this.itemTransform ? this.itemTransform(item[0], item[1]) : item;
  }

  batch(indices: readonly number[]): Batch {
    return this.itemTransform ? super.batch(indices) : this.arrays.batch(indices);
  }
}

/** MNIST digits: `{ root, train = true, transform }`; files from $NDGRAD_DATA/mnist or ~/.ndgrad/datasets/mnist. */
export class MNIST extends IdxImageDataset {
  constructor(options: MNISTOptions = {}) {
    super('MNIST', 'mnist', options);
  }
}

/** Zalando's Fashion-MNIST, same format; also found in Debian's /usr/share/datasets/fashion-mnist. */
export class FashionMNIST extends IdxImageDataset {
  constructor(options: MNISTOptions = {}) {
    super('FashionMNIST', 'fashion-mnist', options);
  }
}
