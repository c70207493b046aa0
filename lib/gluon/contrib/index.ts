// gluon.contrib: MXNet's contributed Gluon tools.
import * as estimator from './estimator';

export { estimator };
