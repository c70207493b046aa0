// Errors raised by the core for bad user input. The binding turns each into the JS error class
// named by `kind`; messages name the op, the argument and the shapes involved.
#pragma once

#include <stdexcept>
#include <string>

namespace ndgrad {

enum class ErrorKind { Error, TypeError, RangeError };

struct Error : std::runtime_error {
  ErrorKind kind;
  Error(ErrorKind k, const std::string& msg) : std::runtime_error(msg), kind(k) {}
};

[[noreturn]] inline void throw_error(const std::string& msg) { throw Error(ErrorKind::Error, msg); }
[[noreturn]] inline void throw_type(const std::string& msg) { throw Error(ErrorKind::TypeError, msg); }
[[noreturn]] inline void throw_range(const std::string& msg) { throw Error(ErrorKind::RangeError, msg); }

}  // namespace ndgrad
