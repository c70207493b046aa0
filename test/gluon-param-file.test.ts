// Block.saveParameters / loadParameters against files written byte for byte as MXNet 1.x
// writes them (test/fixtures/gluon/make_param_files.py builds them from the format description).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gluon, init, nd } from '../lib';

const { nn } = gluon;
const FIXTURES = path.join(__dirname, 'fixtures', 'gluon');
const expected: Record<string, { structural: string; shape: number[]; values: number[] }> = JSON.parse(
  fs.readFileSync(path.join(FIXTURES, 'mlp-expected.json'), 'utf8'),
);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ndgrad-gluon-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(() => gluon.resetNameCounters());

/** MXNet's `with net.name_scope(): net.add(Dense(3, in_units=4), Dense(2, in_units=3))`. */
function mlp(inUnits = true): InstanceType<typeof nn.Sequential> {
  const net = new nn.Sequential();
  net.nameScope(() => net.add(new nn.Dense(3, inUnits ? { inUnits: 4 } : {}), new nn.Dense(2, inUnits ? { inUnits: 3 } : {})));
  return net;
}

function expectFixtureValues(net: InstanceType<typeof nn.Sequential>): void {
  const params = net.collectParams();
  expect(params.keys()).toEqual(Object.keys(expected));
  for (const [name, want] of Object.entries(expected)) {
    const data = params.at(name)!.data();
    expect([name, data.shape, data.dtype]).toEqual([name, want.shape, 'float32']);
    expect(Array.from(data.toTypedArray())).toEqual(want.values);
  }
}

describe('files written as MXNet 1.x writes them', () => {
  test('save_parameters file (structural names): every name and value, without initialize()', () => {
    expect(Object.keys(nd.load(path.join(FIXTURES, 'mlp.params')))).toEqual(Object.values(expected).map((e) => e.structural));
    const net = mlp();
    net.loadParameters(path.join(FIXTURES, 'mlp.params'));
    expectFixtureValues(net);
  });

  test('deferred shapes are filled from the file', () => {
    const net = mlp(false);
    net.initialize();
    net.loadParameters(path.join(FIXTURES, 'mlp.params'));
    expectFixtureValues(net);
    expect(net.forward(nd.ones([1, 4])).shape).toEqual([1, 2]);
  });

  test('legacy save_params file (prefix stripped) and export file (arg: + full names)', () => {
    for (const file of ['mlp-legacy.params', 'mlp-export.params']) {
      gluon.resetNameCounters();
      const net = mlp();
      net.loadParameters(path.join(FIXTURES, file));
      expectFixtureValues(net);
    }
  });

  test('ParameterDict.load with restorePrefix, and arg: keys', () => {
    const net = mlp();
    net.collectParams().load(path.join(FIXTURES, 'mlp-legacy.params'), { restorePrefix: 'sequential0_' });
    expectFixtureValues(net);
    // full names must match: a second model is sequential1_
    const other = mlp();
    expect(() => other.collectParams().load(path.join(FIXTURES, 'mlp-export.params'))).toThrow(
      "Parameter 'sequential1_dense0_weight' is missing in file: ",
    );
    gluon.resetNameCounters();
    const again = mlp();
    again.collectParams().load(path.join(FIXTURES, 'mlp-export.params'));
    expectFixtureValues(again);
  });

  test('saveParameters writes the same bytes as MXNet', () => {
    const net = mlp();
    net.loadParameters(path.join(FIXTURES, 'mlp.params'));
    const out = path.join(dir, 'mine.params');
    net.saveParameters(out);
    expect(fs.readFileSync(out).equals(fs.readFileSync(path.join(FIXTURES, 'mlp.params')))).toBe(true);
  });
});

describe('round trip and errors', () => {
  test('a trained-looking net saved and loaded into a fresh one gives identical outputs', () => {
    const net = new nn.Sequential();
    net.add(new nn.Dense(16, { activation: 'relu' }), new nn.Dropout(0.3), new nn.Dense(5, { activation: 'tanh' }), new nn.Dense(3));
    net.initialize(new init.Xavier());
    const x = nd.random.normal({ shape: [7, 9] });
    const y = net.forward(x);
    const file = path.join(dir, 'round.params');
    net.saveParameters(file);
    expect(Object.keys(nd.load(file))).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '3.weight', '3.bias']);
    const fresh = new nn.Sequential();
    fresh.add(new nn.Dense(16, { activation: 'relu' }), new nn.Dropout(0.3), new nn.Dense(5, { activation: 'tanh' }), new nn.Dense(3));
    fresh.loadParameters(file);
    expect(fresh.forward(x).toArray()).toEqual(y.toArray());
  });

  test('missing and extra parameters: MXNet errors, allowMissing and ignoreExtra', () => {
    const file = path.join(FIXTURES, 'mlp.params');
    const bigger = new nn.Sequential();
    bigger.add(new nn.Dense(3, { inUnits: 4 }), new nn.Dense(2, { inUnits: 3 }), new nn.Dense(1, { inUnits: 2 }));
    expect(() => bigger.loadParameters(file)).toThrow(`Parameter '2.weight' is missing in file '${file}'`);
    bigger.loadParameters(file, { allowMissing: true });
    expect(bigger.at(0).collectParams().values()[1].data().toArray()).toEqual(expected.sequential0_dense0_bias.values);
    expect(() => bigger.at(2).collectParams().values()[0].data()).toThrow(/has not been initialized/);

    const smaller = new nn.Sequential();
    smaller.add(new nn.Dense(3, { inUnits: 4 }));
    expect(() => smaller.loadParameters(file)).toThrow(`Parameter '1.weight' loaded from file '${file}' is not present in ParameterDict`);
    smaller.loadParameters(file, { ignoreExtra: true });

    const wrong = new nn.Sequential();
    wrong.add(new nn.Dense(3, { inUnits: 5 }), new nn.Dense(2, { inUnits: 3 }));
    expect(() => wrong.loadParameters(file)).toThrow("Failed loading Parameter 'dense");
    expect(() => wrong.loadParameters(file)).toThrow('shape incompatible expected (3, 5) vs saved (3, 4)');
  });

  test("aux: keys (running statistics in export files) load like arg: keys", () => {
    const file = path.join(dir, 'aux.params');
    nd.save(file, { 'arg:bn0_gamma': nd.array([2, 3]), 'aux:bn0_running_mean': nd.array([0.5, -1]) });
    const params = new gluon.ParameterDict('bn0_');
    params.get('gamma', { shape: [2] });
    params.get('running_mean', { shape: [2], gradReq: 'null' });
    params.load(file);
    expect(params.values().map((p) => p.data().toArray())).toEqual([[2, 3], [0.5, -1]]);
  });

  test('ParameterDict.save with stripPrefix round-trips through load with restorePrefix', () => {
    const net = mlp();
    net.initialize();
    const file = path.join(dir, 'dict.params');
    net.collectParams().save(file, 'sequential0_');
    expect(Object.keys(nd.load(file))).toEqual(['dense0_weight', 'dense0_bias', 'dense1_weight', 'dense1_bias']);
    expect(() => net.collectParams().save(file, 'other_')).toThrow("Prefix 'other_' is to be striped before saving");
    const copy = mlp();
    copy.collectParams().load(file, { restorePrefix: 'sequential1_' });
    expect(copy.collectParams().values()[0].data().toArray()).toEqual(net.collectParams().values()[0].data().toArray());
  });
});
