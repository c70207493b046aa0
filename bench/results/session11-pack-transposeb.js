// Whole-process A/B of the transposeB products (the packing the 8 x 8 transposes serve):
// node bench/results/session11-pack-transposeb.js <package dir> [iterations] [dtype]
const { nd } = require(process.argv[2]);
const iters = Number(process.argv[3] || 2000);
const shapes = [[64, 256, 784], [64, 784, 256], [256, 256, 256]]; // m, k, n; B stored n x k
const dtype = process.argv[4] || 'float32';
const pairs = shapes.map(([m, k, n]) => [nd.random.uniform({ shape: [m, k], dtype }), nd.random.uniform({ shape: [n, k], dtype })]);
for (let i = 0; i < iters; i++)
  for (const [a, b] of pairs) nd.dot(a, b, { transposeB: true }).dispose();
