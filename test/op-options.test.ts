// docs/op-options.md is generated from the field tables (scripts/op-options.js): it must be what
// the script writes from the addon's native.opSchema() now, or the docs have drifted.
import * as fs from 'fs';
import { native } from '../lib/core/native';

const { render, page } = require('../scripts/op-options.js') as { render: (s: unknown) => string; page: string };

test('docs/op-options.md matches the ops\' field tables (run `npm run docs:options` after changing one)', () => {
  const schema = native.opSchema();
  expect(fs.readFileSync(page, 'utf8')).toBe(render(schema));
  // every op with options is named in a section heading, and every field has its row
  const text = render(schema);
  const headings = text.split('\n').filter((l) => l.startsWith('## ')).flatMap((l) => l.slice(3).split(', '));
  expect(headings.sort()).toEqual(schema.filter((o) => o.fields.length).map((o) => o.name).sort());
  for (const f of schema.flatMap((o) => o.fields)) expect(text).toContain(`| \`${f.name}\` |`);
});
