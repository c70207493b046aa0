// gluon.data.vision: MNIST-format datasets and image transforms.
import * as transforms from './transforms';

export { FashionMNIST, MNIST, type MNISTOptions } from './datasets';
export { transforms };
