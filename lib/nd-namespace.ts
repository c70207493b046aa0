// The `nd` namespace object (functions of lib/nd.ts, the generated math, MXNet's spellings),
// shared by lib/index.ts and gluon's HybridLambda, which hands it to user functions as F.
import { ND_ALIASES, withAliases } from './core/aliases';
import * as ndNs from './nd';
import { math } from './nd/math';

export const nd = withAliases({ ...ndNs, ...math }, ND_ALIASES);
