// Argument readers for the binding: each names the function and argument in its error.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "core/tensor/array.h"
#include "core/ops/registry.h"
#include "handles.h"

namespace ndgrad::binding {

// The array behind a handle; throws a TypeError for anything that is not a live handle.
ArrayRef unwrap(const Napi::Value& v, const char* fn, const char* arg);

// The error for a handle that resolved to `a` (null: to nothing) and is no live array.
[[noreturn]] void throw_not_live(Napi::Env env, const Array* a, const char* fn, const char* arg);

// The inputs of one op call, borrowed from the handles that hold them, without references of
// their own (each is a locked increment and decrement, two of them per input and call). Nothing
// releases a handle's array while the core runs, since no JS runs there and so no finalizer;
// after the core returns, filing the result may release a dead array (handles.h), which the
// list, no longer read, then only forgets. The list must not be moved from or outlive the call.
class BorrowedInputs {
 public:
  BorrowedInputs() = default;
  ~BorrowedInputs() {
    for (ArrayRef& a : list_) a.leak();
  }
  BorrowedInputs(const BorrowedInputs&) = delete;
  BorrowedInputs& operator=(const BorrowedInputs&) = delete;
  // Checks the handle as unwrap() does; slot numbers are looked up in `table` (the caller's
  // own, which saves asking Node-API for the instance per input).
  void add(const HandleTable& table, const Napi::Value& v, const char* fn, const char* arg);
  // The same for a slot number JS passed in the op cell (Addon::op_cell_). Inline, with the
  // error out of line: the per-op entry points take it for each input.
  void add_slot(const HandleTable& table, Napi::Env env, int32_t slot, const char* fn, const char* arg) {
    Array* a = table.get(slot);
    if (!a || a->disposed) [[unlikely]] throw_not_live(env, a, fn, arg);
    list_.push_back(ArrayRef::adopt(a));
  }
  const ArrayList& list() const { return list_; }

 private:
  ArrayList list_;
};
// The array behind a handle even when it was disposed (for shape, dtype, dispose, isDisposed).
Array* handle_of(const Napi::Value& v, const char* fn);
// The array, or null for undefined/null.
ArrayRef unwrap_optional(const Napi::Value& v, const char* fn, const char* arg);
std::vector<ArrayRef> unwrap_list(const Napi::Value& v, const char* fn, const char* arg, bool allow_null);

double read_number(const Napi::Value& v, const char* fn, const char* arg);
int64_t read_int(const Napi::Value& v, const char* fn, const char* arg);
bool read_bool(const Napi::Value& v, const char* fn, const char* arg);
// An array of integers; with allow_null, null entries stand for "None" (kNoIndex).
std::vector<int64_t> read_int_list(const Napi::Value& v, const char* fn, const char* arg, bool allow_null = false);
OpId read_op(const Napi::Value& v, const char* fn);
// An op id JS passed in the op cell (Addon::op_cell_), range checked as read_op() does.
OpId cell_op(Napi::Env env, int32_t id, const char* fn);
// Reads an op's JS options object by its field table (core/params.h) into `storage` (a block of
// the op's own struct) and returns it;
// without an object, returns the op's defaults without reading anything (the per-call path of
// ops called without options). Unknown keys, wrong types and out-of-range values throw.
const void* read_params(const Napi::Value& v, const OpDef& def, ParamBlock& storage);

}  // namespace ndgrad::binding
