// gluon.data.vision: MNIST / FashionMNIST over idx files the tests write (gzip'd and raw), the
// search order of their folders, and the transforms (per batch equal to per sample; Resize
// against PyTorch's bilinear interpolation, which shares OpenCV's pixel-centre convention).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { gluon, nd, random, type NDArray } from '../lib';

const { vision, DataLoader } = gluon.data;
const T = vision.transforms;

function idx(dims: number[], values: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([header, Buffer.from(values)]);
}

const N = 5;
const pixels = Uint8Array.from({ length: N * 28 * 28 }, (_, i) => (i * 7 + (i >> 5)) % 256);
const labels = Uint8Array.from([3, 0, 9, 1, 4]);

function writeSet(dir: string, prefix: 'train' | 't10k', gz: boolean): void {
  fs.mkdirSync(dir, { recursive: true });
  const put = (name: string, bytes: Buffer): void => fs.writeFileSync(path.join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(bytes) : bytes);
  put(`${prefix}-images-idx3-ubyte`, idx([N, 28, 28], pixels));
  put(`${prefix}-labels-idx1-ubyte`, idx([N], labels));
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ndgrad-vision-'));
  writeSet(path.join(tmp, 'gz'), 'train', true);
  writeSet(path.join(tmp, 'raw'), 't10k', false);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('MNIST and FashionMNIST', () => {
  test('gzip and raw idx files give [uint8 (28, 28, 1) image, int32 label] items', () => {
    for (const [root, train] of [[path.join(tmp, 'gz'), true], [path.join(tmp, 'raw'), false]] as const) {
      const ds = new vision.MNIST({ root, train });
      expect(ds.length).toBe(N);
      const [image, label] = ds.at(2) as [NDArray, number];
      expect([image.shape, image.dtype, label]).toEqual([[28, 28, 1], 'uint8', 9]);
      expect(Array.from(image.toTypedArray())).toEqual(Array.from(pixels.subarray(2 * 784, 3 * 784)));
      const [data, lab] = ds.batch([4, 1]) as NDArray[];
      expect([data.shape, lab.dtype, lab.toArray()]).toEqual([[2, 28, 28, 1], 'int32', [4, 0]]);
    }
  });

  test('the default folders: $NDGRAD_DATA/<name> first; the error lists every folder searched', () => {
    const saved = process.env.NDGRAD_DATA;
    try {
      process.env.NDGRAD_DATA = path.join(tmp, 'home');
      writeSet(path.join(tmp, 'home', 'mnist'), 'train', true);
      expect(new vision.MNIST().length).toBe(N);
      const err = (() => {
        try {
          new vision.MNIST({ train: false });
        } catch (e) {
          return (e as Error).message;
        }
        return '';
      })();
      expect(err).toContain(`'${path.join(tmp, 'home', 'mnist')}'`);
      expect(err).toContain(`'${path.join(os.homedir(), '.ndgrad', 'datasets', 'mnist')}'`);
      expect(err).toMatch(/t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte \(.gz or raw\)/);
      expect(err).toMatch(/yann.lecun.com/);
      process.env.NDGRAD_DATA = path.join(tmp, 'nowhere');
      const fashionErr = (() => {
        try {
          new vision.FashionMNIST({ train: true, root: path.join(tmp, 'nowhere') });
        } catch (e) {
          return (e as Error).message;
        }
        return '';
      })();
      expect(fashionErr).toMatch(/apt-get install dataset-fashion-mnist/);
    } finally {
      if (saved === undefined) delete process.env.NDGRAD_DATA;
      else process.env.NDGRAD_DATA = saved;
    }
  });

  test('corrupt files are errors naming the file', () => {
    const dir = path.join(tmp, 'bad');
    writeSet(dir, 'train', false);
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idx([N + 1], Uint8Array.from([1, 2, 3, 4, 5, 6])));
    expect(() => new vision.MNIST({ root: dir })).toThrow(/holds 5 images but .*train-labels-idx1-ubyte holds 6 labels/);
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idx([N + 1], labels));
    expect(() => new vision.MNIST({ root: dir })).toThrow(/announces 6 = 6 values but the file holds 5/);
    fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), Buffer.from([1, 2, 3, 4]));
    expect(() => new vision.MNIST({ root: dir })).toThrow(/train-labels-idx1-ubyte is not an idx file of unsigned bytes with 1 dimension\(s\): its first two bytes are not zero/);
    expect(() => new vision.MNIST({ root: dir, shuffle: true } as never)).toThrow(/MNIST: unknown option 'shuffle'/);
  });

  test('the dataset transform option gets (image, label), as MXNet', () => {
    const ds = new vision.FashionMNIST({ root: path.join(tmp, 'gz'), transform: (x, y) => [(x as NDArray).astype('float32'), y + 100] });
    const [x, y] = ds.at(0) as [NDArray, number];
    expect([x.dtype, y]).toEqual(['float32', 103]);
    const [, batchLabels] = [...new DataLoader(ds, { batchSize: 5 })][0] as NDArray[];
    expect(batchLabels.toArray()).toEqual([103, 100, 109, 101, 104]);
  });

  const debian = '/usr/share/datasets/fashion-mnist';
  (fs.existsSync(path.join(debian, 't10k-images-idx3-ubyte.gz')) ? test : test.skip)('Debian Fashion-MNIST test set, when installed', () => {
    const ds = new vision.FashionMNIST({ root: debian, train: false });
    expect(ds.length).toBe(10000);
    const [, label] = ds.at(0) as [NDArray, number];
    expect(label).toBe(9); // the first test image is an ankle boot
    const t = new T.Compose([new T.ToTensor(), new T.Normalize(0.286, 0.353)]);
    const loader = new DataLoader(ds.transformFirst(t), { batchSize: 256 });
    expect(loader.length).toBe(40);
    const [data, labels] = loader[Symbol.iterator]().next().value as NDArray[];
    expect([data.shape, data.dtype, labels.shape, labels.dtype]).toEqual([[256, 1, 28, 28], 'float32', [256], 'int32']);
    expect(data.at(3).toArray()).toEqual(t.forward((ds.at(3) as NDArray[])[0]).toArray());
  });
});

function perSample(t: { forward(x: NDArray): NDArray }, batch: NDArray): NDArray {
  return nd.stack(...Array.from({ length: batch.shape[0] }, (_, i) => t.forward(batch.at(i))));
}

describe('transforms', () => {
  const batch = nd.array(Uint8Array.from({ length: 4 * 5 * 6 * 3 }, (_, i) => (i * 37) % 256), { dtype: 'uint8', shape: [4, 5, 6, 3] });

  test('ToTensor: HWC uint8 -> CHW float32 / 255, batches NHWC -> NCHW', () => {
    const t = new T.ToTensor();
    const one = t.forward(batch.at(1));
    expect([one.shape, one.dtype]).toEqual([[3, 5, 6], 'float32']);
    expect(one.at(2, 4, 5).asScalar()).toBeCloseTo(batch.at(1, 4, 5, 2).asScalar() / 255, 7);
    expect(t.forward(batch).toArray()).toEqual(perSample(t, batch).toArray());
    expect(() => t.forward(nd.zeros([3, 3]))).toThrow(/ToTensor: input must be an image \(H, W, C\) or a batch \(N, H, W, C\), got shape \(3, 3\)/);
  });

  test('Normalize per channel, Compose, Cast; batch equals per sample', () => {
    const t = new T.Compose([new T.ToTensor(), new T.Normalize([0.1, 0.2, 0.3], [0.5, 0.25, 2])]);
    expect(t.batchable).toBe(true);
    const one = t.forward(batch.at(0));
    const expected = (batch.at(0, 1, 2, 1).asScalar() / 255 - 0.2) / 0.25;
    expect(one.at(1, 1, 2).asScalar()).toBeCloseTo(expected, 5);
    expect(t.forward(batch).toArray()).toEqual(perSample(t, batch).toArray());
    expect(new T.Normalize(0.5, 2).forward(nd.ones([2, 1, 1])).toArray()).toEqual([[[0.25]], [[0.25]]]);
    expect(() => new T.Normalize([1, 2], 1).forward(nd.ones([3, 2, 2]))).toThrow(/Normalize: mean has 2 values for 3 channels/);
    expect(() => new T.Normalize(0, [1, 0])).toThrow(/std must not contain 0/);
    expect(() => new T.Normalize(0.5, 2).forward(batch.at(0))).toThrow(/Normalize: input must be float32 or float64 \(apply ToTensor first\), got uint8/);
    expect(new T.Cast('float64').forward(batch).dtype).toBe('float64');
    expect(() => new T.Cast('int8' as never)).toThrow(/Cast: dtype must be one of/);
    expect(new T.Compose([new T.ToTensor(), (x: NDArray) => x.mul(2)]).batchable).toBe(false);
  });

  test('transformFirst of a batchable transform runs once per batch and equals the per-sample path', () => {
    const ds = new gluon.data.ArrayDataset(batch, nd.array([1, 2, 3, 4], { dtype: 'int32' }));
    const t = new T.Compose([new T.ToTensor(), new T.Normalize(0.13, 0.31)]);
    const forward = jest.spyOn(t, 'forward');
    const [[data, label]] = [...new DataLoader(ds.transformFirst(t), { batchSize: 4 })] as NDArray[][];
    expect(forward).toHaveBeenCalledTimes(1);
    const [[slowData, slowLabel]] = [...new DataLoader(ds.transformFirst((x: NDArray) => t.forward(x)), { batchSize: 4 })] as NDArray[][];
    expect(forward).toHaveBeenCalledTimes(5);
    expect(data.toArray()).toEqual(slowData.toArray());
    expect([label.toArray(), label.dtype]).toEqual([slowLabel.toArray(), slowLabel.dtype]);
  });

  test('RandomFlipLeftRight: flips each image independently; same draws per batch and per sample under a seed', () => {
    const t = new T.RandomFlipLeftRight();
    random.seed(11);
    const whole = t.forward(batch);
    random.seed(11);
    const each = perSample(t, batch);
    expect(whole.toArray()).toEqual(each.toArray());
    const reversed = nd.take(batch, nd.array([5, 4, 3, 2, 1, 0], { dtype: 'int32' }), { axis: 2 });
    const flippedRows = [0, 1, 2, 3].map((i) => JSON.stringify(whole.at(i).toArray()) === JSON.stringify(reversed.at(i).toArray()));
    const keptRows = [0, 1, 2, 3].map((i) => JSON.stringify(whole.at(i).toArray()) === JSON.stringify(batch.at(i).toArray()));
    expect(flippedRows.map((f, i) => f !== keptRows[i])).toEqual([true, true, true, true]);
    random.seed(0);
    const counts = Array.from({ length: 200 }, () => t.forward(nd.array([[[1], [2]]], { dtype: 'uint8' })).at(0, 0, 0).asScalar());
    const flips = counts.filter((v) => v === 2).length;
    expect(flips).toBeGreaterThan(70);
    expect(flips).toBeLessThan(130);
  });

  test('Resize: sizes as MXNet (int, [width, height], keepRatio), nearest, batch equals per sample', () => {
    const x = batch.at(0); // (5, 6, 3)
    expect(new T.Resize(4).forward(x).shape).toEqual([4, 4, 3]);
    expect(new T.Resize([8, 3]).forward(x).shape).toEqual([3, 8, 3]);
    expect(new T.Resize(10, true).forward(x).shape).toEqual([10, 12, 3]);
    expect(new T.Resize(10, true).forward(nd.zeros([7, 3, 1])).shape).toEqual([23, 10, 1]);
    const r = new T.Resize([9, 7]);
    expect(r.forward(batch).toArray()).toEqual(perSample(r, batch).toArray());
    expect(r.forward(batch).dtype).toBe('uint8');
    const up = new T.Resize([4, 1], false, 0).forward(nd.array([[[10], [20]]]));
    expect(up.toArray()).toEqual([[[10], [10], [20], [20]]]);
    expect(() => new T.Resize(0)).toThrow(/Resize: size must be a positive integer or \[width, height\], got 0/);
    expect(() => new T.Resize(3, false, 2 as never)).toThrow(/interpolation must be 0 \(nearest\) or 1 \(bilinear\), got 2/);
  });

  test('Resize bilinear matches torch.nn.functional.interpolate(align_corners=False)', () => {
    // golden: test/fixtures/gluon/make_resize_golden.py
    const golden = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures/gluon/resize-golden.json'), 'utf8')) as {
      input: number[]; shape: number[]; cases: { width: number; height: number; output: number[] }[];
    };
    const x = nd.array(Float32Array.from(golden.input), { shape: golden.shape });
    for (const c of golden.cases) {
      const out = new T.Resize([c.width, c.height]).forward(x);
      expect(out.shape).toEqual([c.height, c.width, golden.shape[2]]);
      const got = Array.from(out.toTypedArray());
      // 4 float32 ulps of the input range [0, 255] (2^-21 * 255): both libraries round each pass in float32
      got.forEach((v, i) => expect(Math.abs(v - c.output[i])).toBeLessThanOrEqual(255 * 2 ** -21));
    }
  });
});

test('Compose works with and without new, as MXNet writes it', () => {
  const T = gluon.data.vision.transforms;
  const a = T.Compose([new T.ToTensor()]);
  const b = new T.Compose([new T.ToTensor()]);
  expect(a).toBeInstanceOf(T.Compose);
  expect(b).toBeInstanceOf(T.Compose);
  const img = nd.ones([2, 2, 1], { dtype: 'uint8' });
  expect(a.forward(img).toArray()).toEqual(b.forward(img).toArray());
});
