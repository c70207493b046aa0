// Typed op parameters (MXNet's dmlc::Parameter): each op with options declares a field table
// that names every option (JS camelCase, MXNet spellings), its type, default, range or choices
// and a one-line description. One reader fills a parameter struct from a table, so every op
// checks its options the same way and unknown keys are errors, not silently ignored.
//
// The binding turns each JS value into a FieldValue; everything else (matching keys, checking,
// defaults, error messages) is here, free of N-API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "core/tensor/dtype.h"
#include "core/tensor/shape.h"

namespace ndgrad {

// MXNet's None in an index list (slice's begin/end/step) or an optional integer.
constexpr int64_t kNoIndex = INT64_MIN;

struct ParamTable;
// Aborts naming the table's fields: a parameter struct was read as another op's (a programming
// error, see param_cast).
[[noreturn]] void param_type_mismatch(const ParamTable& t);

// How to make, copy and free one op's parameter struct: what the engine needs to hold a struct
// whose type only the op knows (a call's options, a graph node's copy of them).
struct ParamType {
  const std::type_info& id;
  size_t size;
  size_t align;
  bool trivial;                                  // trivially copyable and destructible
  void (*make)(void* dst);                       // default-constructs at dst
  void (*copy)(void* dst, const void* src);      // copy-constructs *src at dst
  void (*destroy)(void* p);
};

// The ParamType of struct P. Typed access compares the type_info, not this object's address,
// which a sanitizer build does not keep unique across translation units.
template <class P>
inline constexpr ParamType kParamType{
    typeid(P), sizeof(P), alignof(P), std::is_trivially_copyable_v<P> && std::is_trivially_destructible_v<P>,
    [](void* d) { new (d) P(); }, [](void* d, const void* s) { new (d) P(*static_cast<const P*>(s)); },
    [](void* p) { static_cast<P*>(p)->~P(); }};

// Whether t describes struct P (null: an op without options).
template <class P>
bool is_param_type(const ParamType* t) {
  return t && t->id == typeid(P);
}

enum class FieldKind : uint8_t {
  Bool,
  Int,
  Float,
  IntList,    // [1, 2, 3] or one integer
  IndexList,  // integers or null (MXNet's None), as slice's begin/end/step
  Axis,       // one integer; null (when nullable) means "all axes" / "flattened"
  Axes,       // one integer or a list; null means all axes
  Shape,      // one non-negative integer or a list of them
  Enum,       // one of the space-separated `choices` strings, stored as its index
  DType,      // 'float32', 'float64', 'int32' or 'uint8'
  Ignored,    // accepted and dropped (MXNet's cudnn_* tuning keys, ctx checked in JS)
  FloatList,  // [0.1, 0.2] or one number (the multi-tensor updates' per-weight rates)
};

const char* field_kind_name(FieldKind k);

// A JS value as the binding read it.
struct FieldValue {
  enum class Type : uint8_t { Undefined, Null, Bool, Number, String, List, Other };
  Type type = Type::Undefined;
  bool b = false;
  double num = 0;
  std::string str;                // String; for Other, how to name it ("an object")
  std::vector<FieldValue> items;  // List
};

// The text an error shows for a value: 'clip', 1.5, [1,0], true, null, an object.
std::string value_text(const FieldValue& v);

struct FieldDef {
  const char* name = nullptr;  // JS camelCase
  const char* aliases = "";    // other accepted spellings, space separated (MXNet snake_case)
  FieldKind kind = FieldKind::Ignored;
  void* (*slot)(void* params) = nullptr;  // the member this field fills
  const ParamType* owner = nullptr;        // the struct that member belongs to
  bool* (*given)(void* params) = nullptr;  // Axis/Axes: set when an axis was given (not null)
  double def = 0;              // default: the value, the enum index, the dtype code, or the one axis
  bool has_def = false;        // Axis/Axes/lists: the default is [def] instead of none/empty
  bool required = false;
  bool nullable = false;       // null is a value ("None"), not "use the default"
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;        // lo itself is out of range (temperature > 0)
  bool hi_open = false;        // hi itself is out of range (dropout p < 1)
  const char* choices = "";    // Enum: space separated, stored as the index
  const char* desc = "";

  // dmlc-style modifiers: field<&P::m>("name", "what it is").alias("m_name").set_default(1)...
  constexpr FieldDef alias(const char* a) const { FieldDef f = *this; f.aliases = a; return f; }
  constexpr FieldDef set_default(double v) const { FieldDef f = *this; f.def = v; f.has_def = true; return f; }
  constexpr FieldDef require() const { FieldDef f = *this; f.required = true; return f; }
  constexpr FieldDef allow_null() const { FieldDef f = *this; f.nullable = true; return f; }
  constexpr FieldDef range(double l, double h) const { FieldDef f = *this; f.lo = l; f.hi = h; return f; }
  constexpr FieldDef range_below(double l, double h) const { FieldDef f = range(l, h); f.hi_open = true; return f; }
  constexpr FieldDef positive() const { FieldDef f = *this; f.lo = 0; f.lo_open = true; return f; }
  constexpr FieldDef non_negative() const { FieldDef f = *this; f.lo = 0; return f; }
  constexpr FieldDef one_of(const char* c) const { FieldDef f = *this; f.kind = FieldKind::Enum; f.choices = c; return f; }
  constexpr FieldDef as(FieldKind k) const { FieldDef f = *this; f.kind = k; return f; }
};

namespace params_detail {

template <auto M>
struct Member;
template <class P, class T, T P::*M>
struct Member<M> {
  using Params = P;
  using Type = T;
  static void* slot(void* p) { return &(static_cast<P*>(p)->*M); }
};

template <class T>
constexpr FieldKind kind_of() {
  if constexpr (std::is_same_v<T, bool>) return FieldKind::Bool;
  else if constexpr (std::is_same_v<T, int64_t>) return FieldKind::Int;
  else if constexpr (std::is_same_v<T, double>) return FieldKind::Float;
  else if constexpr (std::is_same_v<T, DType>) return FieldKind::DType;
  else if constexpr (std::is_same_v<T, int>) return FieldKind::Enum;
  else if constexpr (std::is_same_v<T, Shape>) return FieldKind::Shape;
  else if constexpr (std::is_same_v<T, std::vector<double>>) return FieldKind::FloatList;
  else return FieldKind::IntList;
}

template <auto Flag>
bool* flag_slot(void* p) {
  return static_cast<bool*>(Member<Flag>::slot(p));
}

}  // namespace params_detail

// A field filling member M; its kind follows from M's type (int members are enums: add one_of).
template <auto M>
constexpr FieldDef field(const char* name, const char* desc) {
  using Mem = params_detail::Member<M>;
  FieldDef f;
  f.name = name;
  f.desc = desc;
  f.kind = params_detail::kind_of<typename Mem::Type>();
  f.slot = &Mem::slot;
  f.owner = &kParamType<typename Mem::Params>;
  return f;
}

// An axis field: the list member M and the flag member Given set when an axis is given.
template <auto M, auto Given>
constexpr FieldDef axis_field(const char* name, const char* desc, FieldKind kind = FieldKind::Axis) {
  FieldDef f = field<M>(name, desc);
  f.kind = kind;
  f.given = &params_detail::flag_slot<Given>;
  return f;
}

// A dtype that may be left out (null: the input's): Given is set when one is given.
template <auto M, auto Given>
constexpr FieldDef optional_dtype_field(const char* name, const char* desc) {
  FieldDef f = field<M>(name, desc);
  f.given = &params_detail::flag_slot<Given>;
  f.nullable = true;
  return f;
}

// A key accepted and dropped.
constexpr FieldDef ignored_field(const char* name, const char* desc) {
  FieldDef f;
  f.name = name;
  f.desc = desc;
  return f;
}

// One op's options: its parameter struct and the fields that fill it (none for a struct the
// library fills itself, as the shape of an internal gradient op). An op without options has
// no struct at all (type null).
struct ParamTable {
  const ParamType* type = nullptr;
  const FieldDef* fields = nullptr;
  size_t size = 0;
  const FieldDef* begin() const { return fields; }
  const FieldDef* end() const { return fields + size; }
};

// Typed access to a parameter block of table t's struct. The type is checked in debug and
// sanitizer builds: reading another op's struct would reinterpret its bytes.
template <class P>
const P& param_cast(const ParamTable& t, const void* p) {
#if !defined(NDEBUG) || defined(NDGRAD_DEBUG_CHECKS)
  if (!is_param_type<P>(t.type)) param_type_mismatch(t);
#endif
  return *static_cast<const P*>(p);
}

// One parameter struct of a type known at run time: an op's defaults, a call's parsed options.
class ParamBlock {
 public:
  ParamBlock() = default;
  explicit ParamBlock(const ParamType* type) : type_(type), p_(type ? allocate(*type) : nullptr) {
    if (type_) type_->make(p_);
  }
  ParamBlock(const ParamBlock& o) : type_(o.type_), p_(o.type_ ? allocate(*o.type_) : nullptr) {
    if (type_) type_->copy(p_, o.p_);
  }
  ParamBlock(ParamBlock&& o) noexcept : type_(o.type_), p_(o.p_) {
    o.type_ = nullptr;
    o.p_ = nullptr;
  }
  ParamBlock& operator=(ParamBlock o) noexcept {
    std::swap(type_, o.type_);
    std::swap(p_, o.p_);
    return *this;
  }
  ~ParamBlock() {
    if (!type_) return;
    type_->destroy(p_);
    ::operator delete(p_, std::align_val_t(type_->align));
  }
  void* get() { return p_; }
  const void* get() const { return p_; }

 private:
  static void* allocate(const ParamType& t) { return ::operator new(t.size, std::align_val_t(t.align)); }
  const ParamType* type_ = nullptr;
  void* p_ = nullptr;
};

// The field a key names (its camelCase name or an alias), or null.
const FieldDef* find_field(const ParamTable& t, const char* key, size_t len);
// Writes every field's default into params (done once per op, at registry build).
void apply_defaults(const ParamTable& t, void* params);
// Checks v against f and writes it into params; throws naming op, field and value.
void assign_field(const char* op, const FieldDef& f, const FieldValue& v, void* params);
// Throws the TypeError for an unknown key: the nearest known key and the list of known ones.
[[noreturn]] void throw_unknown_option(const char* op, const ParamTable& t, const std::string& key);
// Throws when a required field was not given (`given` has one flag per field).
void check_required(const char* op, const ParamTable& t, const std::vector<bool>& given);
// The names of the choices of an enum field, in index order.
std::vector<std::string> field_choices(const FieldDef& f);
// The spellings of a field besides its name.
std::vector<std::string> field_aliases(const FieldDef& f);
// The closest of `names` to `key` (edit distance, ignoring case and underscores).
std::string nearest_name(const std::string& key, const std::vector<std::string>& names);

}  // namespace ndgrad
