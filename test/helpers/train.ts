// The full-batch training loop of the gluon tests: each step records the net on the whole batch
// under softmax cross-entropy, runs backward and trainer.step; the mean loss of each step.
import { autograd, gluon, type NDArray } from '../../lib';

export function trainFullBatch(net: gluon.Block, x: NDArray, y: NDArray, trainer: gluon.Trainer, steps: number): number[] {
  const lossFn = new gluon.loss.SoftmaxCrossEntropyLoss();
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = autograd.record(() => lossFn.forward(net.forward(x) as NDArray, y));
    loss.backward();
    trainer.step(x.shape[0]!);
    losses.push(loss.mean().asScalar());
  }
  return losses;
}
