// A minimal test registry for the native core test binary (no external framework needed).
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ndgrad_test {

struct TestCase {
  const char* name;
  std::function<void()> fn;
};

inline std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

struct Registrar {
  Registrar(const char* name, std::function<void()> fn) { registry().push_back({name, std::move(fn)}); }
};

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void fail(const char* file, int line, const std::string& what) {
  std::ostringstream os;
  os << file << ":" << line << ": " << what;
  throw Failure(os.str());
}

}  // namespace ndgrad_test

#define NDG_CONCAT2(a, b) a##b
#define NDG_CONCAT(a, b) NDG_CONCAT2(a, b)
#define TEST(name)                                                                       \
  static void name();                                                                    \
  static ::ndgrad_test::Registrar NDG_CONCAT(registrar_, name)(#name, name);             \
  static void name()

#define CHECK(cond)                                                                      \
  do {                                                                                   \
    if (!(cond)) ::ndgrad_test::fail(__FILE__, __LINE__, "CHECK failed: " #cond);       \
  } while (0)

#define CHECK_EQ(a, b)                                                                   \
  do {                                                                                   \
    auto va_ = (a);                                                                      \
    auto vb_ = (b);                                                                      \
    if (!(va_ == vb_)) {                                                                 \
      std::ostringstream os_;                                                            \
      os_ << "CHECK_EQ failed: " #a " == " #b " (" << va_ << " vs " << vb_ << ")";        \
      ::ndgrad_test::fail(__FILE__, __LINE__, os_.str());                                \
    }                                                                                    \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                                            \
  do {                                                                                   \
    double va_ = (a), vb_ = (b);                                                         \
    if (!(std::fabs(va_ - vb_) <= (tol))) {                                              \
      std::ostringstream os_;                                                            \
      os_.precision(17);                                                                 \
      os_ << "CHECK_NEAR failed: " #a " ~ " #b " (" << va_ << " vs " << vb_ << ")";       \
      ::ndgrad_test::fail(__FILE__, __LINE__, os_.str());                                \
    }                                                                                    \
  } while (0)

#define CHECK_THROWS(stmt)                                                               \
  do {                                                                                   \
    bool threw_ = false;                                                                 \
    try {                                                                                \
      stmt;                                                                              \
    } catch (const ::ndgrad_test::Failure&) {                                            \
      throw;                                                                             \
    } catch (...) {                                                                      \
      threw_ = true;                                                                     \
    }                                                                                    \
    if (!threw_) ::ndgrad_test::fail(__FILE__, __LINE__, "expected a throw: " #stmt);    \
  } while (0)
