// One error type for the whole project. Messages name the problem: the op, tensor,
// file or shape involved. Recoverable errors are always thrown, never abort().
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace prunq {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

namespace detail {
template <typename... Args>
std::string concat(Args&&... args) {
  std::ostringstream os;
  (os << ... << std::forward<Args>(args));
  return os.str();
}
}  // namespace detail

// Throws prunq::Error with the streamed arguments as message.
template <typename... Args>
[[noreturn]] void fail(Args&&... args) {
  throw Error(detail::concat(std::forward<Args>(args)...));
}

}  // namespace prunq

// PRUNQ_CHECK(cond, "op Conv: weight ", name, " has rank ", r) -- throws prunq::Error when cond is false.
#define PRUNQ_CHECK(cond, ...)                   \
  do {                                           \
    if (!(cond)) ::prunq::fail(__VA_ARGS__);     \
  } while (0)
