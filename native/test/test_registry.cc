// The registry's load-time self-check and the saved-tensor declarations.
#include <string>
#include <vector>

#include "check.h"
#include "core/runtime/error.h"
#include "core/ops/ops.h"
#include "core/ops/registry.h"

using namespace ndgrad;

namespace {

void infer_nothing(const OpCall&, OutSpecs&) {}
void forward_nothing(OpCall&) {}
Grads backward_nothing(BackwardCtx&) { return {}; }

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// Makes d a test op named `name`: the rules every op has (shape rule, forward), a backward when
// `differentiable`, and `flags`.
void stub(OpDef& d, const char* name, uint32_t flags, bool differentiable = false) {
  d.name = name;
  d.infer = infer_nothing;
  d.forward = forward_nothing;
  if (differentiable) d.backward = backward_nothing;
  d.flags = flags;
}

}  // namespace

TEST(the_registry_is_complete) { CHECK_EQ(registry_problems(registry()), std::string()); }

TEST(registry_problems_name_the_op_and_what_it_lacks) {
  std::vector<OpDef> table(4);
  table[0].name = "no_rules";
  stub(table[1], "no_backward", 0);
  stub(table[2], "both_marks", kNoGrad, true);
  stub(table[3], "complete", kNoGrad);
  std::string p = registry_problems(table);
  CHECK(contains(p, "no_rules: no shape rule"));
  CHECK(contains(p, "no_rules: no forward"));
  CHECK(contains(p, "no_backward: no backward and no kNoGrad mark"));
  CHECK(contains(p, "both_marks: a backward and a kNoGrad mark"));
  CHECK(!contains(p, "complete"));
}

TEST(an_unknown_option_names_the_nearest_key_and_the_known_ones) {
  const ParamTable& t = op_def(OpId::dot).params;
  try {
    throw_unknown_option("dot", t, "transposeA2");
    CHECK(false);
  } catch (const Error& e) {
    CHECK_EQ(std::string(e.what()), std::string("dot: unknown option 'transposeA2' (did you mean 'transposeA'?); known: transposeA, transposeB"));
  }
  const FieldDef* f = find_field(t, "transpose_b", 11);
  CHECK(f != nullptr);
  CHECK_EQ(std::string(f->name), std::string("transposeB"));
}

TEST(field_values_are_checked_and_named) {
  const OpDef& split = op_def(OpId::split);
  ParamBlock a = split.defaults;
  FieldValue zero;
  zero.type = FieldValue::Type::Number;
  zero.num = 0;
  try {
    assign_field("split", *find_field(split.params, "numOutputs", 10), zero, a.get());
    CHECK(false);
  } catch (const Error& e) {
    CHECK(e.kind == ErrorKind::RangeError);
    CHECK_EQ(std::string(e.what()), std::string("split: numOutputs must be a positive integer, got 0"));
  }
  FieldValue list;
  list.type = FieldValue::Type::List;
  list.items.resize(2, zero);
  list.items[1].num = 1.5;
  const OpDef& tile = op_def(OpId::tile);
  try {
    ParamBlock t = tile.defaults;
    assign_field("tile", *find_field(tile.params, "reps", 4), list, t.get());
    CHECK(false);
  } catch (const Error& e) {
    CHECK_EQ(std::string(e.what()), std::string("tile: reps[1] must be a non-negative integer, got 1.5"));
  }
}

TEST(a_backward_reading_an_unsaved_tensor_is_an_error_not_another_tensor) {
  Runtime env;
  // softmax saves its output only: reading its input is the mistake the check catches.
  ArrayRef x = make_array(env.full(Shape{2}, DType::Float32, 1.0));
  NodeRef node = record_node(&op_def(OpId::softmax), &x, 1, &x, 1);
  std::vector<ArrayRef> grads{x};
  BackwardCtx ctx{env, node, *node, grads};
  try {
    ctx.input(0);
    CHECK(false);
  } catch (const Error& e) {
    CHECK(contains(e.what(), "softmax: backward reads input 0, which the op does not save"));
  }
  CHECK(ctx.output(0));
}

TEST(an_op_saves_the_inputs_and_outputs_it_declares_one_by_one) {
  Runtime env;
  // take declares kSaveInput1: its backward reads the indices, never the data.
  ArrayRef data = make_array(env.full(Shape{4}, DType::Float32, 1.0));
  ArrayRef index = make_array(env.full(Shape{2}, DType::Int32, 0.0));
  ArrayRef out = make_array(env.full(Shape{2}, DType::Float32, 1.0));
  ArrayRef ins[] = {data, index};
  NodeRef node = record_node(&op_def(OpId::take), ins, 2, &out, 1);
  CHECK_EQ(node->saved().size(), size_t{1});
  CHECK(node->saved()[0].storage == index->t.storage);
  std::vector<ArrayRef> grads{out};
  BackwardCtx ctx{env, node, *node, grads};
  CHECK(ctx.input(1)->t.storage == index->t.storage);
  CHECK(ctx.input(1)->t.shape == (Shape{2}));
  try {
    ctx.input(0);
    CHECK(false);
  } catch (const Error& e) {
    CHECK(contains(e.what(), "take: backward reads input 0, which the op does not save (add kSaveInput0"));
  }
  try {
    ctx.output(0);
    CHECK(false);
  } catch (const Error& e) {
    CHECK(contains(e.what(), "take: backward reads output 0, which the op does not save"));
  }

  // dropout declares kSaveOutput1: the mask, not the result.
  ArrayRef y = make_array(env.full(Shape{3}, DType::Float32, 1.0));
  ArrayRef mask = make_array(env.full(Shape{3}, DType::Float32, 2.0));
  ArrayRef outs[] = {y, mask};
  NodeRef drop = record_node(&op_def(OpId::dropout), &data, 1, outs, 2);
  CHECK_EQ(drop->saved().size(), size_t{1});
  BackwardCtx dctx{env, drop, *drop, grads};
  CHECK(dctx.output(1)->t.storage == mask->t.storage);
  try {
    dctx.output(0);
    CHECK(false);
  } catch (const Error& e) {
    CHECK(contains(e.what(), "dropout: backward reads output 0, which the op does not save (add kSaveOutput0"));
  }
}

TEST(the_all_inputs_shorthand_saves_every_input_in_order) {
  Runtime env;
  ArrayRef a = make_array(env.full(Shape{2, 2}, DType::Float32, 1.0));
  ArrayRef b = make_array(env.full(Shape{2, 2}, DType::Float32, 2.0));
  ArrayRef ins[] = {a, b};
  NodeRef node = record_node(&op_def(OpId::multiply), ins, 2, &a, 1);
  CHECK_EQ(node->saved().size(), size_t{2});
  std::vector<ArrayRef> grads{a};
  BackwardCtx ctx{env, node, *node, grads};
  CHECK(ctx.input(0)->t.storage == a->t.storage);
  CHECK(ctx.input(1)->t.storage == b->t.storage);
}

TEST(saved_tensor_marks_are_checked_at_load) {
  std::vector<OpDef> table(3);
  stub(table[0], "both", kSaveInputs | kSaveInput1, true);
  stub(table[1], "beyond", kSaveInput2, true);
  stub(table[2], "fine", kSaveInput1 | kSaveOutput0, true);
  for (OpDef& d : table) d.num_inputs = 2;
  std::string p = registry_problems(table);
  CHECK(contains(p, "both: kSaveInputs and a kSaveInput<i> mark"));
  CHECK(contains(p, "beyond: saves an input it does not have"));
  CHECK(!contains(p, "fine"));
}

namespace {

struct OneParams {
  double x = 0;
};
struct OtherParams {
  double y = 0;
};
const FieldDef kOtherField[] = {field<&OtherParams::y>("y", "a member of another struct")};

}  // namespace

TEST(a_field_filling_another_structs_member_is_a_registry_problem) {
  std::vector<OpDef> table(1);
  stub(table[0], "mixed", kNoGrad);
  set_params<OneParams>(table, static_cast<OpId>(0), kOtherField);
  CHECK(contains(registry_problems(table), "mixed.y: fills a member of another struct"));
}

TEST(every_op_with_options_has_its_own_struct_and_defaults_and_the_others_none) {
  for (const OpDef& d : registry()) {
    CHECK_EQ(d.params.type != nullptr, d.defaults.get() != nullptr);
    if (!d.params.type) CHECK_EQ(d.params.size, size_t{0});
  }
  CHECK(op_def(OpId::add).params.type == nullptr);
  CHECK(op_def(OpId::softmax).params.type != op_def(OpId::dropout).params.type);
}

TEST(an_op_called_with_another_ops_struct_is_a_type_error) {
  Runtime env;
  ArrayRef x = make_array(env.full(Shape{2}, DType::Float32, 1.0));
  try {
    invoke1(env, OpId::softmax, {x}, ScalarParams{2});
    CHECK(false);
  } catch (const Error& e) {
    CHECK(e.kind == ErrorKind::TypeError);
    CHECK(contains(e.what(), "softmax: called with options of another kind"));
  }
}

TEST(a_node_keeps_the_options_it_was_recorded_with) {
  Runtime env;
  ArrayRef x = make_array(env.full(Shape{2, 3}, DType::Float32, 1.0));
  x->ag.node = make_node();  // a marked variable
  env.recording = true;
  // A scalar op's number is kept in the node itself.
  ArrayRef y = invoke1(env, OpId::multiply_scalar, {x}, ScalarParams{3.5});
  const Node& scaled = *y->ag.node;
  CHECK_EQ(param_cast<ScalarParams>(scaled.op->params, scaled.params()).scalar, 3.5);
  // Defaults are the op's own block, not a copy.
  ArrayRef s = invoke1(env, OpId::sum, {x});
  CHECK(s->ag.node->params() == op_def(OpId::sum).defaults.get());
  // Other options are a copy that outlives the caller's struct.
  ArrayRef r;
  {
    ReduceParams p;
    p.axes = {1};
    p.has_axes = true;
    p.keepdims = true;
    r = invoke1(env, OpId::sum, {x}, p);
  }
  const Node& reduced = *r->ag.node;
  const ReduceParams& kept = param_cast<ReduceParams>(reduced.op->params, reduced.params());
  CHECK(&kept != op_def(OpId::sum).defaults.get());
  CHECK(kept.has_axes && kept.keepdims);
  CHECK_EQ(kept.axes.size(), size_t{1});
  CHECK_EQ(kept.axes[0], int64_t{1});
  CHECK(r->t.shape == (Shape{2, 1}));
  env.recording = false;
}

TEST(kmutates_alone_writes_input_0_and_set_writes_names_the_inputs) {
  std::vector<OpDef> table(kNumOps);
  OpDef& plain = def_slot(table, OpId::copy);
  plain.flags = kMutates;
  CHECK(writes_input(plain, 0));
  CHECK(!writes_input(plain, 1));
  set_writes(table, OpId::sgd_mom_update, 0b101);
  const OpDef& mom = def_slot(table, OpId::sgd_mom_update);
  CHECK(mom.flags & kMutates);
  CHECK(writes_input(mom, 0) && !writes_input(mom, 1) && writes_input(mom, 2) && !writes_input(mom, 3));
  set_writes(table, OpId::multi_sgd_mom_update, 0b101, 3);
  const OpDef& multi = def_slot(table, OpId::multi_sgd_mom_update);
  for (size_t i = 0; i < 9; ++i) CHECK_EQ(writes_input(multi, i), i % 3 != 1);
  CHECK(!writes_input(op_def(OpId::add), 0));
  CHECK(writes_input(op_def(OpId::adam_update), 3) && !writes_input(op_def(OpId::adam_update), 1));
  CHECK(!writes_input(op_def(OpId::lamb_update_phase1), 0) && writes_input(op_def(OpId::lamb_update_phase1), 2));
}

TEST(a_mutating_op_with_a_backward_is_a_registry_problem) {
  std::vector<OpDef> table(1);
  stub(table[0], "writes_and_differentiates", kMutates, true);
  CHECK(contains(registry_problems(table), "writes_and_differentiates: a mutating op is never recorded"));
}

// kElementwise lets invoke skip an op's shape rule for operands of one shape and dtype: the rule
// must then give exactly that shape and dtype, and accept it, for every dtype.
TEST(an_elementwise_ops_shape_rule_gives_same_shape_operands_their_shape_and_dtype) {
  Runtime env;
  size_t flagged = 0;
  for (const OpDef& d : registry()) {
    if (!(d.flags & kElementwise)) continue;
    ++flagged;
    CHECK(d.num_inputs == 1 || d.num_inputs == 2);
    for (int code = 0; code < kNumDTypes; ++code) {
      DType dt = static_cast<DType>(code);
      Tensor t = env.zeros(Shape{2, 3}, dt);
      Tensor in[2] = {t, t};
      OpCall call{env, d, in, static_cast<size_t>(d.num_inputs), d.defaults.get(), {}};
      OutSpecs specs;
      d.infer(call, specs);
      CHECK_EQ(specs.size(), size_t{1});
      CHECK(specs[0].shape == (Shape{2, 3}));
      CHECK(specs[0].dtype == dt);
    }
  }
  CHECK(flagged >= 60);  // the unary, binary and number-operand families
}

TEST(an_elementwise_op_flagged_as_a_view_or_a_write_is_a_registry_problem) {
  std::vector<OpDef> table(2);
  stub(table[0], "elementwise_view", kElementwise | kView, true);
  stub(table[1], "elementwise_write", kElementwise | kMutates);
  std::string p = registry_problems(table);
  CHECK(contains(p, "elementwise_view: an elementwise op makes a fresh result"));
  CHECK(contains(p, "elementwise_write: an elementwise op makes a fresh result"));
}

// invoke's same-shape path and the generic path (broadcasting) give the same values, the same
// recorded node, and the generic path's errors.
TEST(same_shape_elementwise_calls_match_the_generic_path_and_record_alike) {
  Runtime env;
  ArrayRef a = make_array(env.full(Shape{2, 2}, DType::Float32, 3.0));
  ArrayRef b = make_array(env.full(Shape{2, 2}, DType::Float32, 4.0));
  ArrayRef row = make_array(env.full(Shape{1, 2}, DType::Float32, 4.0));
  ArrayRef fast = ops::mul(env, a, b);
  ArrayRef broadcast = ops::mul(env, a, row);
  CHECK(fast->t.shape == (Shape{2, 2}) && broadcast->t.shape == (Shape{2, 2}));
  for (int i = 0; i < 4; ++i) {
    CHECK_EQ(fast->t.data<float>()[i], 12.0f);
    CHECK_EQ(broadcast->t.data<float>()[i], 12.0f);
  }
  CHECK(!fast->ag.node);  // nothing recorded outside record()
  a->ag.node = make_node();  // a marked variable
  env.recording = true;
  ArrayRef y = ops::mul(env, a, b);
  ArrayRef z = ops::add_scalar(env, y, 1.0);
  ArrayRef u = ops::unary(env, OpId::tanh, z);
  env.recording = false;
  CHECK(y->ag.node && y->ag.node->op == &op_def(OpId::multiply));
  CHECK_EQ(y->ag.node->num_inputs(), size_t{2});
  CHECK_EQ(y->ag.node->saved().size(), size_t{2});  // multiply saves both inputs
  CHECK(y->ag.node->inputs[0].node == a->ag.node && !y->ag.node->inputs[1].node);
  CHECK_EQ(param_cast<ScalarParams>(z->ag.node->op->params, z->ag.node->params()).scalar, 1.0);
  CHECK(u->ag.node->inputs[0].node == z->ag.node);
  CHECK_EQ(u->ag.node->saved().size(), size_t{1});  // tanh saves its output
  // Mixed dtypes and shapes that do not broadcast still get the generic path's errors.
  ArrayRef d = make_array(env.full(Shape{2, 2}, DType::Float64, 1.0));
  ArrayRef c = make_array(env.full(Shape{3}, DType::Float32, 1.0));
  try {
    ops::add(env, a, d);
    CHECK(false);
  } catch (const Error& e) {
    CHECK(e.kind == ErrorKind::TypeError && contains(e.what(), "add: operands have different dtypes"));
  }
  try {
    ops::add(env, a, c);
    CHECK(false);
  } catch (const Error& e) {
    CHECK(e.kind == ErrorKind::RangeError && contains(e.what(), "add: operands could not be broadcast"));
  }
  b->disposed = true;
  try {
    ops::add(env, a, b);
    CHECK(false);
  } catch (const Error& e) {
    CHECK(contains(e.what(), "add: input 1 is an NDArray that was disposed"));
  }
}

// The same-shape path writes its node field by field (record_same_shape in invoke.cc);
// record_node, the path of every other op, must find nothing different in it: entries, shapes and
// dtypes of inputs and result, saved tensors, options, and what it owns out of line. Around the
// boundaries of the fixed layout: no dimension, eight (the most a node holds inline), nine (the
// shapes move to the heap, freed with the node: the sanitizer build reports a leak otherwise),
// every float dtype and an integer one, unary and binary ops, an input out of the graph in
// either place, one array as both inputs.
TEST(same_shape_recording_stores_what_record_node_stores) {
  Runtime env;
  auto same_node = [](const Node& fast, const Node& slow) {
    CHECK(fast.op == slow.op);
    CHECK_EQ(fast.num_inputs(), slow.num_inputs());
    CHECK_EQ(fast.num_outputs(), slow.num_outputs());
    for (size_t i = 0; i < fast.num_inputs(); ++i) {
      CHECK(fast.inputs[i].node == slow.inputs[i].node);
      CHECK_EQ(fast.inputs[i].index, slow.inputs[i].index);
      CHECK(fast.input_shape(i) == slow.input_shape(i));
      CHECK(fast.input_dtype(i) == slow.input_dtype(i));
    }
    for (size_t i = 0; i < fast.num_outputs(); ++i) {
      CHECK(fast.output_shape(i) == slow.output_shape(i));
      CHECK(fast.output_dtype(i) == slow.output_dtype(i));
    }
    CHECK_EQ(fast.saved().size(), slow.saved().size());
    for (size_t i = 0; i < fast.saved().size(); ++i) {
      CHECK(fast.saved()[i].storage == slow.saved()[i].storage);
      CHECK_EQ(fast.saved()[i].offset, slow.saved()[i].offset);
      CHECK_EQ(fast.saved()[i].version, slow.saved()[i].version);
    }
    CHECK(fast.owns_out_of_line() == slow.owns_out_of_line());
    CHECK(!fast.is_variable() && !fast.is_custom());
  };
  const Shape shapes[] = {Shape{2, 2}, Shape{}, Shape{3}, Shape{2, 1, 3}, Shape{1, 2, 3, 2},
                          Shape{1, 2, 1, 2, 1, 2, 1, 2}, Shape{1, 2, 1, 2, 1, 2, 1, 2, 1}};
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int32}) {
    for (const Shape& shape : shapes) {
      ArrayRef a = make_array(env.full(shape, dtype, 0.5));
      ArrayRef b = make_array(env.full(shape, dtype, 0.25));
      a->ag.node = make_node();  // a marked variable; b is not in the graph
      env.recording = true;
      ArrayRef y = ops::mul(env, a, b);             // saves both inputs
      ArrayRef z = ops::add_scalar(env, y, 2.0);    // options kept in the node
      ArrayRef u = ops::unary(env, OpId::relu, z);  // saves an input or its output
      ArrayRef w = ops::mul(env, u, u);             // one array as both inputs
      ArrayRef v = ops::add(env, b, y);             // the live input second
      env.recording = false;
      ArrayRef ins[][2] = {{a, b}, {y, y}, {z, z}, {u, u}, {b, y}};
      const ArrayRef* outs[] = {&y, &z, &u, &w, &v};
      for (size_t k = 0; k < 5; ++k) {
        const Node& fast = *(*outs[k])->ag.node;
        size_t n = fast.num_inputs();
        // record_node links its output to the node it makes: a copy stands in for the result.
        ArrayRef out = make_array((*outs[k])->t);
        NodeRef slow = record_node(fast.op, ins[k], n, &out, 1);
        slow->set_params(fast.params());
        same_node(fast, *slow);
        CHECK(fast.owns_out_of_line() == (shape.size() > 8));
        CHECK_EQ((*outs[k])->ag.index, uint32_t{0});
      }
      CHECK_EQ(param_cast<ScalarParams>(z->ag.node->op->params, z->ag.node->params()).scalar, 2.0);
      CHECK(y->ag.node->inputs[0].node == a->ag.node && !y->ag.node->inputs[1].node);
      CHECK(!v->ag.node->inputs[0].node && v->ag.node->inputs[1].node == y->ag.node);
      CHECK(w->ag.node->inputs[0].node == u->ag.node && w->ag.node->inputs[1].node == u->ag.node);
      // a result no later op took as input: its entry holds the node's only count
      CHECK(w->ag.node->ref_count() == 1 && v->ag.node->ref_count() == 1);
    }
  }
  // Nothing live among the inputs: nothing recorded.
  ArrayRef p = make_array(env.full(Shape{2}, DType::Float32, 1.0));
  env.recording = true;
  ArrayRef q = ops::mul(env, p, p);
  ArrayRef r = ops::unary(env, OpId::tanh, p);
  env.recording = false;
  CHECK(!q->ag.node && !r->ag.node);
}
