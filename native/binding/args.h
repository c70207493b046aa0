// Argument readers for the binding: each names the function and argument in its error.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "core/tensor/array.h"
#include "core/ops/registry.h"

namespace ndgrad::binding {

// The array behind a handle; throws a TypeError for anything that is not a live handle.
ArrayRef unwrap(const Napi::Value& v, const char* fn, const char* arg);
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
// Reads an op's JS options object by its field table (core/params.h) into `storage` (a block of
// the op's own struct) and returns it;
// without an object, returns the op's defaults without reading anything (the per-call path of
// ops called without options). Unknown keys, wrong types and out-of-range values throw.
const void* read_params(const Napi::Value& v, const OpDef& def, ParamBlock& storage);

}  // namespace ndgrad::binding
