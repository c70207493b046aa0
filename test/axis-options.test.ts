// The option types of the generated axis methods (lib/core/ops.ts AXIS_OPTIONS) are the names in
// each op's field table, so a key the op rejects at run time does not type-check either
// (test/types/consumer.ts holds the compile-time half: x.cumsum({ keepdims: true }) is an error).
import { AXIS_OPS, AXIS_OPTIONS } from '../lib/core/ops';
import { native } from '../lib/core/native';

const schema = new Map(native.opSchema().map((o) => [o.name, o.fields.map((f) => f.name)]));

test.each(Object.values(AXIS_OPS))('%s: the option type lists exactly its field table', (op) => {
  expect([...AXIS_OPTIONS[op]].sort()).toEqual([...schema.get(op)!].sort());
});
