#include "core/ops/params.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/runtime/error.h"

namespace ndgrad {

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;
constexpr size_t kMaxListLength = 1024;

std::string number_text(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[40];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

std::vector<std::string> split_words(const char* s) {
  std::vector<std::string> out;
  std::string cur;
  for (const char* p = s; *p; ++p) {
    if (*p == ' ') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += *p;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

bool word_in(const char* words, const char* key, size_t len) {
  for (const char* p = words; *p;) {
    while (*p == ' ') ++p;
    const char* q = p;
    while (*q && *q != ' ') ++q;
    if (static_cast<size_t>(q - p) == len && len > 0 && std::memcmp(p, key, len) == 0) return true;
    p = q;
  }
  return false;
}

// The words of the range part of "must be ...": "a positive integer", "a number in [0, 1]".
std::string expectation(const FieldDef& f, bool integer) {
  const char* noun = integer ? "integer" : "number";
  bool has_lo = std::isfinite(f.lo), has_hi = std::isfinite(f.hi);
  if (has_lo && !has_hi && f.lo == 0) return std::string(f.lo_open ? "a positive " : "a non-negative ") + noun;
  if (has_lo && has_hi) {
    return std::string(integer ? "an integer" : "a number") + " in " + (f.lo_open ? "(" : "[") + number_text(f.lo) + ", " +
           number_text(f.hi) + (f.hi_open ? ")" : "]");
  }
  if (has_lo) return std::string(integer ? "an integer" : "a number") + (f.lo_open ? " > " : " >= ") + number_text(f.lo);
  if (has_hi) return std::string(integer ? "an integer" : "a number") + (f.hi_open ? " < " : " <= ") + number_text(f.hi);
  return integer ? "an integer" : "a number";
}

bool in_range(const FieldDef& f, double d) {
  if (f.lo_open ? !(d > f.lo) : !(d >= f.lo)) return false;
  return f.hi_open ? d < f.hi : d <= f.hi;
}

[[noreturn]] void bad_value(const char* op, const std::string& name, const std::string& what, const FieldValue& v,
                            bool range) {
  std::string msg = std::string(op) + ": " + name + " must be " + what + ", got " + value_text(v);
  if (range) throw_range(msg);
  throw_type(msg);
}

int64_t read_integer(const char* op, const FieldDef& f, const std::string& name, const FieldValue& v) {
  bool ok = v.type == FieldValue::Type::Number && std::isfinite(v.num) && std::floor(v.num) == v.num &&
            std::fabs(v.num) <= kMaxSafeInteger;
  if (!ok) bad_value(op, name, expectation(f, true), v, false);
  if (!in_range(f, v.num)) bad_value(op, name, expectation(f, true), v, true);
  return static_cast<int64_t>(v.num);
}

// One integer or a list of them (null entries allowed when `nulls`, stored as kNoIndex).
template <class List>
void read_int_list(const char* op, const FieldDef& f, const FieldValue& v, bool nulls, List& out) {
  out.clear();
  const char* what = nulls ? "an integer, null or a list of them" : "an integer or a list of integers";
  if (v.type == FieldValue::Type::Number || (nulls && v.type == FieldValue::Type::Null)) {
    out.push_back(v.type == FieldValue::Type::Null ? kNoIndex : read_integer(op, f, f.name, v));
    return;
  }
  if (v.type != FieldValue::Type::List) bad_value(op, f.name, what, v, false);
  if (v.items.size() > kMaxListLength) bad_value(op, f.name, "a list of at most 1024 entries", v, true);
  for (size_t i = 0; i < v.items.size(); ++i) {
    const FieldValue& x = v.items[i];
    bool null = x.type == FieldValue::Type::Null || x.type == FieldValue::Type::Undefined;
    if (nulls && null) {
      out.push_back(kNoIndex);
      continue;
    }
    std::string name = std::string(f.name) + "[" + std::to_string(i) + "]";
    out.push_back(read_integer(op, f, name, x));
  }
}

void read_float_list(const char* op, const FieldDef& f, const FieldValue& v, std::vector<double>& out) {
  out.clear();
  const char* what = "a number or a list of numbers";
  auto read = [&](const FieldValue& x, const std::string& name) {
    if (x.type != FieldValue::Type::Number) bad_value(op, name.c_str(), what, x, false);
    if (!in_range(f, x.num)) bad_value(op, name.c_str(), expectation(f, false), x, true);
    out.push_back(x.num);
  };
  if (v.type == FieldValue::Type::Number) return read(v, f.name);
  if (v.type != FieldValue::Type::List) bad_value(op, f.name, what, v, false);
  if (v.items.size() > kMaxListLength) bad_value(op, f.name, "a list of at most 1024 entries", v, true);
  for (size_t i = 0; i < v.items.size(); ++i) read(v.items[i], std::string(f.name) + "[" + std::to_string(i) + "]");
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string folded(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

void param_type_mismatch(const ParamTable& t) {
  std::string fields;
  for (const FieldDef& f : t) fields += std::string(fields.empty() ? "" : ", ") + f.name;
  std::fprintf(stderr, "ndgrad: the parameters of an op with %s (%s) were read as another struct than its table's\n",
               t.type ? "options" : "no options", fields.c_str());
  std::abort();
}

const char* field_kind_name(FieldKind k) {
  switch (k) {
    case FieldKind::Bool: return "bool";
    case FieldKind::Int: return "int";
    case FieldKind::Float: return "float";
    case FieldKind::IntList: return "int-list";
    case FieldKind::IndexList: return "index-list";
    case FieldKind::Axis: return "axis";
    case FieldKind::Axes: return "axes";
    case FieldKind::Shape: return "shape";
    case FieldKind::Enum: return "enum";
    case FieldKind::DType: return "dtype";
    case FieldKind::Ignored: return "ignored";
    case FieldKind::FloatList: return "float-list";
  }
  return "?";
}

std::string value_text(const FieldValue& v) {
  switch (v.type) {
    case FieldValue::Type::Undefined: return "undefined";
    case FieldValue::Type::Null: return "null";
    case FieldValue::Type::Bool: return v.b ? "true" : "false";
    case FieldValue::Type::Number: return number_text(v.num);
    case FieldValue::Type::String: return "'" + v.str + "'";
    case FieldValue::Type::Other: return v.str;
    case FieldValue::Type::List: {
      std::string s = "[";
      for (size_t i = 0; i < v.items.size() && i < 16; ++i) s += (i ? "," : "") + value_text(v.items[i]);
      return s + (v.items.size() > 16 ? ",...]" : "]");
    }
  }
  return "?";
}

std::vector<std::string> field_choices(const FieldDef& f) {
  if (f.kind != FieldKind::DType) return split_words(f.choices);
  std::vector<std::string> names;
  for (int i = 0; i < kNumDTypes; ++i) names.push_back(dtype_name(static_cast<DType>(i)));
  return names;
}
std::vector<std::string> field_aliases(const FieldDef& f) { return split_words(f.aliases); }

const FieldDef* find_field(const ParamTable& t, const char* key, size_t len) {
  for (const FieldDef& f : t)
    if (std::strlen(f.name) == len && std::memcmp(f.name, key, len) == 0) return &f;
  for (const FieldDef& f : t)
    if (word_in(f.aliases, key, len)) return &f;
  return nullptr;
}

void apply_defaults(const ParamTable& t, void* params) {
  for (const FieldDef& f : t) {
    if (!f.slot) continue;
    void* p = f.slot(params);
    switch (f.kind) {
      case FieldKind::Bool: *static_cast<bool*>(p) = f.def != 0; break;
      case FieldKind::Int: *static_cast<int64_t*>(p) = static_cast<int64_t>(f.def); break;
      case FieldKind::Float: *static_cast<double*>(p) = f.def; break;
      case FieldKind::Enum: *static_cast<int*>(p) = static_cast<int>(f.def); break;
      case FieldKind::DType:
        *static_cast<DType*>(p) = static_cast<DType>(static_cast<int>(f.def));
        if (f.given) *f.given(params) = f.has_def;
        break;
      case FieldKind::Shape: {
        Shape& s = *static_cast<Shape*>(p);
        s.clear();
        if (f.has_def) s.push_back(static_cast<int64_t>(f.def));
        break;
      }
      case FieldKind::IntList:
      case FieldKind::IndexList:
      case FieldKind::Axis:
      case FieldKind::Axes: {
        auto& list = *static_cast<std::vector<int64_t>*>(p);
        list.clear();
        if (f.has_def) list.push_back(static_cast<int64_t>(f.def));
        if (f.given) *f.given(params) = f.has_def;
        break;
      }
      case FieldKind::FloatList: static_cast<std::vector<double>*>(p)->clear(); break;
      case FieldKind::Ignored: break;
    }
  }
}

void assign_field(const char* op, const FieldDef& f, const FieldValue& v, void* params) {
  using T = FieldValue::Type;
  if (v.type == T::Undefined || f.kind == FieldKind::Ignored) return;
  if (v.type == T::Null && !f.nullable) return;  // MXNet's None: the default
  void* p = f.slot(params);
  switch (f.kind) {
    case FieldKind::Bool:
      if (v.type != T::Bool) bad_value(op, f.name, "a boolean", v, false);
      *static_cast<bool*>(p) = v.b;
      return;
    case FieldKind::Int:
      *static_cast<int64_t*>(p) = v.type == T::Null ? kNoIndex : read_integer(op, f, f.name, v);
      return;
    case FieldKind::Float:
      if (v.type == T::Null) {
        *static_cast<double*>(p) = f.def;
        return;
      }
      if (v.type != T::Number) bad_value(op, f.name, expectation(f, false), v, false);
      if (!in_range(f, v.num)) bad_value(op, f.name, expectation(f, false), v, true);
      *static_cast<double*>(p) = v.num;
      return;
    case FieldKind::Enum:
    case FieldKind::DType: {
      bool dtype = f.kind == FieldKind::DType;
      if (dtype && f.given) *f.given(params) = v.type != T::Null;
      if (v.type == T::Null) return;  // an optional dtype: the input's
      std::vector<std::string> choices = field_choices(f);
      for (size_t i = 0; v.type == T::String && i < choices.size(); ++i) {
        if (choices[i] != v.str) continue;
        if (dtype) *static_cast<DType*>(p) = static_cast<DType>(static_cast<int>(i));
        else *static_cast<int*>(p) = static_cast<int>(i);
        return;
      }
      std::string list;
      for (size_t i = 0; i < choices.size(); ++i) list += (i ? ", '" : "'") + choices[i] + "'";
      bad_value(op, f.name, "one of " + list, v, false);
    }
    case FieldKind::Axis: {
      auto& axes = *static_cast<std::vector<int64_t>*>(p);
      axes.clear();
      *f.given(params) = v.type != T::Null;
      if (v.type == T::Null) return;
      bool integer = v.type == T::Number && std::isfinite(v.num) && std::floor(v.num) == v.num &&
                     std::fabs(v.num) <= kMaxSafeInteger;
      if (!integer) bad_value(op, f.name, f.nullable ? "an integer or null" : "an integer", v, false);
      axes.push_back(read_integer(op, f, f.name, v));
      return;
    }
    case FieldKind::Axes: {
      auto& axes = *static_cast<std::vector<int64_t>*>(p);
      *f.given(params) = v.type != T::Null;
      if (v.type == T::Null) {
        axes.clear();
        return;
      }
      read_int_list(op, f, v, false, axes);
      return;
    }
    case FieldKind::IntList: read_int_list(op, f, v, false, *static_cast<std::vector<int64_t>*>(p)); return;
    case FieldKind::IndexList: read_int_list(op, f, v, true, *static_cast<std::vector<int64_t>*>(p)); return;
    case FieldKind::Shape: read_int_list(op, f, v, false, *static_cast<Shape*>(p)); return;
    case FieldKind::FloatList: read_float_list(op, f, v, *static_cast<std::vector<double>*>(p)); return;
    case FieldKind::Ignored: return;
  }
}

std::string nearest_name(const std::string& key, const std::vector<std::string>& names) {
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const std::string& n : names) {
    size_t d = edit_distance(folded(key), folded(n));
    if (d < best_d) {
      best_d = d;
      best = n;
    }
  }
  return best;
}

void throw_unknown_option(const char* op, const ParamTable& t, const std::string& key) {
  if (t.size == 0) throw_type(std::string(op) + ": unknown option '" + key + "'; " + op + " takes no options");
  std::vector<std::string> spellings, names;
  std::string nearest_of;
  for (const FieldDef& f : t) {
    names.push_back(f.name);
    spellings.push_back(f.name);
    for (const std::string& a : field_aliases(f)) spellings.push_back(a);
  }
  // Report the camelCase name of the field whose spelling is nearest.
  std::string near = nearest_name(key, spellings);
  for (const FieldDef& f : t)
    if (near == f.name || word_in(f.aliases, near.c_str(), near.size())) nearest_of = f.name;
  std::string known;
  for (size_t i = 0; i < names.size(); ++i) known += (i ? ", " : "") + names[i];
  throw_type(std::string(op) + ": unknown option '" + key + "' (did you mean '" + nearest_of + "'?); known: " + known);
}

void check_required(const char* op, const ParamTable& t, const std::vector<bool>& given) {
  for (size_t i = 0; i < t.size; ++i) {
    if (t.fields[i].required && !given[i]) {
      throw_type(std::string(op) + ": option '" + t.fields[i].name + "' is required (" + t.fields[i].desc + ")");
    }
  }
}

}  // namespace ndgrad
