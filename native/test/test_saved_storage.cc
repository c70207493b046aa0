// The storages graph nodes save: each saved tensor holds a reference to its storage, so a storage
// lives as long as its array or any node that saved it, and no longer. A wrong count frees a
// storage a node still needs (the AddressSanitizer build reports the reads below) or never frees
// one (the live-buffer counts).
#include "check.h"
#include "core/ops/ops.h"
#include "core/ops/registry.h"
#include "core/runtime/runtime.h"

using namespace ndgrad;

// x saved three times (x * x saves it twice, (x * x) * x once more), an op result saved by the
// next op, tanh's own output: each storage is freed when its last reference goes, array or node,
// in any order of release.
TEST(saved_storages_live_as_long_as_their_arrays_or_nodes) {
  Runtime env;
  const int64_t live0 = env.stats->live_buffers();
  ArrayRef x = make_array(env.full(Shape{2, 2}, DType::Float32, 0.5));
  x->ag.node = make_node();  // a marked variable
  Storage* xs = x->t.storage.get();
  CHECK_EQ(xs->ref_count(), 1);
  env.recording = true;
  ArrayRef y1 = ops::mul(env, x, x);
  CHECK_EQ(xs->ref_count(), 3);  // x's array and two saves
  ArrayRef y2 = ops::mul(env, y1, x);
  Storage* y1s = y1->t.storage.get();
  CHECK_EQ(xs->ref_count(), 4);
  CHECK_EQ(y1s->ref_count(), 2);
  ArrayRef y3 = ops::unary(env, OpId::tanh, y2);
  Storage* y3s = y3->t.storage.get();
  CHECK_EQ(y3s->ref_count(), 2);  // tanh saves its output
  env.recording = false;
  CHECK_EQ(env.stats->live_buffers(), live0 + 4);

  // The arrays go first: the nodes alone keep x's and y1's storages, readable.
  x = nullptr;
  y1 = nullptr;
  CHECK_EQ(xs->ref_count(), 3);
  CHECK_EQ(y1s->ref_count(), 1);
  CHECK_EQ(env.stats->live_buffers(), live0 + 4);
  CHECK_EQ(static_cast<const float*>(xs->data())[3], 0.5f);
  CHECK_EQ(static_cast<const float*>(y1s->data())[0], 0.25f);
  // A tensor rebuilt from a saved one takes an atomic reference of its own.
  Tensor again = y2->ag.node->saved_input(0, 0);
  CHECK(again.storage.get() == y1s);
  CHECK_EQ(y1s->ref_count(), 2);
  again = Tensor();
  CHECK_EQ(y1s->ref_count(), 1);

  // y2's array: its node lives on as tanh's input.
  y2 = nullptr;
  CHECK_EQ(env.stats->live_buffers(), live0 + 3);
  CHECK_EQ(xs->ref_count(), 3);
  // tanh's node goes with y3's array: the graph is freed, y3's storage after its node's save.
  y3 = nullptr;
  CHECK_EQ(env.stats->live_buffers(), live0);
}

// The other order: the nodes go first, the storages stay with their arrays; then a node that
// outlives every array.
TEST(saved_storages_outlive_or_leave_their_nodes_either_way) {
  Runtime env;
  const int64_t live0 = env.stats->live_buffers();
  ArrayRef x = make_array(env.full(Shape{3}, DType::Float64, 2.0));
  x->ag.node = make_node();
  Storage* xs = x->t.storage.get();
  env.recording = true;
  ArrayRef y = ops::mul(env, x, x);
  ArrayRef z = ops::mul(env, x, y);
  env.recording = false;
  CHECK_EQ(xs->ref_count(), 4);
  z->ag = AGEntry{};  // z's node goes (y's node stays with y)
  CHECK_EQ(xs->ref_count(), 3);
  y->ag = AGEntry{};  // and y's: x's storage is its array's alone again
  CHECK_EQ(xs->ref_count(), 1);
  CHECK_EQ(env.stats->live_buffers(), live0 + 3);
  y = nullptr;
  z = nullptr;
  CHECK_EQ(env.stats->live_buffers(), live0 + 1);

  // Saved again after that, then kept by the node alone.
  env.recording = true;
  ArrayRef w = ops::mul(env, x, x);
  env.recording = false;
  CHECK_EQ(xs->ref_count(), 3);
  x = nullptr;
  CHECK_EQ(xs->ref_count(), 2);
  CHECK_EQ(static_cast<const double*>(xs->data())[2], 2.0);
  CHECK_EQ(env.stats->live_buffers(), live0 + 2);
  w = nullptr;
  CHECK_EQ(env.stats->live_buffers(), live0);
}
