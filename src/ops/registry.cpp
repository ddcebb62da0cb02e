#include <algorithm>

#include "ops/op.h"
#include "ops/op_list.h"

namespace prunq {

#define PRUNQ_DECLARE_OP(Name) const Op& op_##Name();
PRUNQ_OP_LIST(PRUNQ_DECLARE_OP)
#undef PRUNQ_DECLARE_OP

namespace {
const std::vector<const Op*>& table() {
  static const std::vector<const Op*> t = [] {
    std::vector<const Op*> v;
#define PRUNQ_ADD_OP(Name) v.push_back(&op_##Name());
    PRUNQ_OP_LIST(PRUNQ_ADD_OP)
#undef PRUNQ_ADD_OP
    return v;
  }();
  return t;
}
}  // namespace

const Op* find_op(std::string_view name) {
  for (const Op* op : table())
    if (op->name() == name) return op;
  return nullptr;
}

const Op& get_op(const Node& node) {
  const Op* op = find_op(node.op);
  if (!op) fail("unknown op '", node.op, "' (node '", node.name, "')");
  return *op;
}

std::vector<std::string_view> all_op_names() {
  std::vector<std::string_view> v;
  for (const Op* op : table()) v.push_back(op->name());
  std::sort(v.begin(), v.end());
  return v;
}

void Op::backward(BackwardContext& ctx) const {
  fail("op '", name(), "' (node '", ctx.node.name, "') has no backward rule");
}

const Tensor& ForwardContext::in(size_t i) const {
  PRUNQ_CHECK(has(i), "node '", node.name, "' (", node.op, "): input ", i, " is missing");
  return *inputs[i];
}

const Tensor& BackwardContext::in(size_t i) const {
  PRUNQ_CHECK(i < inputs.size() && inputs[i], "node '", node.name, "' (", node.op, "): input ", i,
              " is missing");
  return *inputs[i];
}

}  // namespace prunq
