#include "prune/sensitivity_json.h"

namespace prunq {
namespace {

const Json& field(const Json& j, const char* key, const std::string& what) {
  PRUNQ_CHECK(j.is_object() && j.contains(key), what, ": missing \"", key, "\"");
  return j.at(key);
}

double number(const Json& j, const char* key, const std::string& what) {
  const Json& v = field(j, key, what);
  PRUNQ_CHECK(v.is_number(), what, ": \"", key, "\" must be a number");
  return v.get<double>();
}

}  // namespace

Json sensitivity_to_json(const SensitivityReport& r) {
  Json layers = Json::array();
  for (const LayerSensitivity& l : r.layers) {
    Json points = Json::array();
    for (const SensitivityPoint& p : l.points)
      points.push_back({{"sparsity", p.sparsity}, {"accuracy", p.accuracy}, {"loss", p.loss}});
    layers.push_back({{"layer", l.layer}, {"weight", l.weight_name}, {"weights", l.numel}, {"points", points}});
  }
  return {{"dense", {{"accuracy", r.dense.accuracy}, {"loss", r.dense.loss}, {"samples", r.dense.samples}}},
          {"layers", layers}};
}

SensitivityReport sensitivity_from_json(const Json& j, const std::string& what) {
  SensitivityReport r;
  const Json& dense = field(j, "dense", what);
  r.dense.accuracy = number(dense, "accuracy", what + " dense");
  r.dense.loss = number(dense, "loss", what + " dense");
  r.dense.samples = int64_t(number(dense, "samples", what + " dense"));
  const Json& layers = field(j, "layers", what);
  PRUNQ_CHECK(layers.is_array() && !layers.empty(), what, ": \"layers\" must be a non-empty list");
  for (const Json& lj : layers) {
    LayerSensitivity l;
    const Json& name = field(lj, "layer", what);
    PRUNQ_CHECK(name.is_string(), what, ": a layer's \"layer\" must be a string");
    l.layer = name.get<std::string>();
    const std::string where = what + " layer '" + l.layer + "'";
    if (lj.contains("weight") && lj.at("weight").is_string()) l.weight_name = lj.at("weight").get<std::string>();
    l.numel = int64_t(number(lj, "weights", where));
    PRUNQ_CHECK(l.numel > 0, where, ": \"weights\" must be positive");
    const Json& points = field(lj, "points", where);
    PRUNQ_CHECK(points.is_array() && !points.empty(), where, ": \"points\" must be a non-empty list");
    for (const Json& p : points) {
      SensitivityPoint sp{number(p, "sparsity", where), number(p, "accuracy", where), number(p, "loss", where)};
      PRUNQ_CHECK(sp.sparsity > 0 && sp.sparsity <= 1 && (l.points.empty() || sp.sparsity > l.points.back().sparsity),
                  where, ": sparsities must be increasing, in (0, 1]");
      l.points.push_back(sp);
    }
    r.layers.push_back(std::move(l));
  }
  return r;
}

Json allocation_to_json(const SparsityAllocation& a) {
  Json layers = Json::array();
  for (const LayerAllocation& l : a.layers)
    layers.push_back({{"layer", l.layer}, {"weights", l.numel}, {"sparsity", l.sparsity}, {"expected_drop", l.expected_drop}});
  return {{"target", a.target}, {"achieved", a.achieved}, {"tolerance", a.tolerance}, {"layers", layers}};
}

}  // namespace prunq
