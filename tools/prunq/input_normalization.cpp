#include "prunq/input_normalization.h"

#include "core/error.h"

namespace prunq::cli {

void prepend_input_normalization(Graph& g, const Normalization& norm) {
  PRUNQ_CHECK(!g.inputs().empty(), "model '", g.name, "' has no input to normalise");
  PRUNQ_CHECK(norm.std > 0, "input normalisation: std must be > 0, got ", norm.std);
  const ValueId input = g.inputs()[0];
  const TensorType type = g.value(input).type;
  const std::string base = g.value(input).name + "_norm";
  const ValueId centered = g.add_value(base + ".centered", type);
  const ValueId normalized = g.add_value(base + ".normalized", type);
  // Rewire first, so the two new nodes are the only readers of the raw input.
  g.replace_all_uses(input, normalized);
  const ValueId mean = g.add_initializer(base + ".mean", Tensor::scalar(norm.mean), false);
  const ValueId std = g.add_initializer(base + ".std", Tensor::scalar(norm.std), false);

  Node sub;
  sub.op = "Sub";
  sub.name = base + ".sub";
  sub.inputs = {input, mean};
  sub.outputs = {centered};
  g.add_node(std::move(sub));
  Node div;
  div.op = "Div";
  div.name = base + ".div";
  div.inputs = {centered, std};
  div.outputs = {normalized};
  g.add_node(std::move(div));
}

}  // namespace prunq::cli
