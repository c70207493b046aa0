// The MXNet autograd tutorial in ndgrad: f(x) = 2 x^2, so df/dx = 4x.
import mx, { autograd, nd } from 'ndgrad';

mx.random.seed(1);
const x = nd.array([[1, 2], [3, 4]]);
x.attachGrad();
const z = autograd.record(() => {
  const y = x.mul(2);
  return y.mul(x);
});
z.backward();
console.log(x.grad?.toString());
// [[ 4.  8.]
//  [12. 16.]]
// <NDArray 2x2 @cpu(0)>
console.log(String(nd.sum(x)));
