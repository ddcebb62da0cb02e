// For tests of bad input: runs f and returns the message of the prunq::Error it throws, or ""
// when it throws none, so a test can assert both that it failed and what the message names.
#pragma once

#include <functional>
#include <string>

#include "core/error.h"

namespace prunq::testing {

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace prunq::testing
