// jest runs the TypeScript tests through SWC (TypeScript 7's tsc has no JS API for ts-jest);
// `tsc` still type-checks lib/ as part of `npm test`.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  maxWorkers: 2,
  testTimeout: 60000,
};
