// Joining and splitting: concat, stack, split; tile, repeat; strided slice; batch_dot.
#include "ops.h"

namespace ndgrad {

void define_join_ops(std::vector<OpDef>& table) { (void)table; }

}  // namespace ndgrad
