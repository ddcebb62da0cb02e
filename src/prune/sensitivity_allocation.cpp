// allocate_sparsity (declared in sensitivity.h): from per-layer sensitivity curves to per-layer
// sparsities meeting a global target at the smallest common accuracy-drop tolerance.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "prune/sensitivity.h"

namespace prunq {
namespace {

// A layer's drop curve: (sparsity, accuracy drop), starting at (0, 0), drops non-decreasing,
// sparsities capped at the allocation's layer cap.
struct DropCurve {
  std::vector<double> s, drop;

  // The largest sparsity whose (interpolated) drop is <= tol.
  double sparsity_at(double tol) const {
    size_t j = 0;
    while (j + 1 < s.size() && drop[j + 1] <= tol) ++j;
    if (j + 1 == s.size()) return s.back();
    return s[j] + (tol - drop[j]) / (drop[j + 1] - drop[j]) * (s[j + 1] - s[j]);
  }
  double drop_at(double sparsity) const {
    for (size_t j = 0; j + 1 < s.size(); ++j)
      if (sparsity <= s[j + 1]) {
        const double span = s[j + 1] - s[j];
        return span > 0 ? drop[j] + (sparsity - s[j]) / span * (drop[j + 1] - drop[j]) : drop[j + 1];
      }
    return drop.back();
  }
};

DropCurve curve_of(const LayerSensitivity& l, double dense_accuracy, double cap) {
  DropCurve c;
  c.s.push_back(0);
  c.drop.push_back(0);
  for (const SensitivityPoint& p : l.points) {
    double s = p.sparsity, d = std::max(c.drop.back(), dense_accuracy - p.accuracy);
    if (s > cap) {  // end the curve at the cap, on the segment's interpolated drop
      const double s0 = c.s.back(), d0 = c.drop.back();
      if (cap > s0) {
        c.s.push_back(cap);
        c.drop.push_back(d0 + (cap - s0) / (s - s0) * (d - d0));
      }
      break;
    }
    c.s.push_back(s);
    c.drop.push_back(d);
  }
  return c;
}

}  // namespace

SparsityAllocation allocate_sparsity(const SensitivityReport& r, double target, double max_layer_sparsity) {
  PRUNQ_CHECK(std::isfinite(target) && target >= 0 && target <= 1, "allocation: target must be in [0, 1], got ", target);
  PRUNQ_CHECK(max_layer_sparsity > 0 && max_layer_sparsity <= 1, "allocation: the layer cap must be in (0, 1], got ",
              max_layer_sparsity);
  PRUNQ_CHECK(!r.layers.empty(), "allocation: the sensitivity report has no layers");
  std::vector<DropCurve> curves;
  double total = 0, top_drop = 0;
  for (const LayerSensitivity& l : r.layers) {
    PRUNQ_CHECK(!l.points.empty() && l.numel > 0, "allocation: layer '", l.layer, "' has no measurements");
    curves.push_back(curve_of(l, r.dense.accuracy, max_layer_sparsity));
    total += double(l.numel);
    top_drop = std::max(top_drop, curves.back().drop.back());
  }
  auto removed = [&](double tol) {
    double sum = 0;
    for (size_t i = 0; i < curves.size(); ++i) sum += double(r.layers[i].numel) * curves[i].sparsity_at(tol);
    return sum / total;
  };
  const double reachable = removed(top_drop);
  PRUNQ_CHECK(target <= reachable + 1e-12, "allocation: a global sparsity of ", target,
              " is beyond the measured curves (at most ", reachable,
              "); measure higher sparsities or raise the layer cap");

  SparsityAllocation a;
  a.target = target;
  std::vector<double> sparsity(curves.size());
  const double at_zero = removed(0);
  if (at_zero >= target) {
    // Free pruning exceeds the target: scale every layer's zero-drop sparsity down alike.
    const double scale = at_zero > 0 ? target / at_zero : 0;
    for (size_t i = 0; i < curves.size(); ++i) sparsity[i] = curves[i].sparsity_at(0) * scale;
    a.tolerance = 0;
  } else {
    double lo = 0, hi = top_drop;
    for (int it = 0; it < 100 && hi - lo > 1e-12; ++it) {
      const double mid = 0.5 * (lo + hi);
      (removed(mid) < target ? lo : hi) = mid;
    }
    a.tolerance = hi;
    for (size_t i = 0; i < curves.size(); ++i) sparsity[i] = curves[i].sparsity_at(hi);
  }
  double sum = 0;
  for (size_t i = 0; i < curves.size(); ++i) {
    a.layers.push_back({r.layers[i].layer, r.layers[i].numel, sparsity[i], curves[i].drop_at(sparsity[i])});
    sum += double(r.layers[i].numel) * sparsity[i];
  }
  a.achieved = sum / total;
  return a;
}

std::string format_allocation(const SparsityAllocation& a) {
  std::string s;
  char line[256];
  std::snprintf(line, sizeof line, "allocation of %.2f%% (reached %.2f%%) at an accuracy-drop tolerance of %.2f pt:\n",
                100.0 * a.target, 100.0 * a.achieved, 100.0 * a.tolerance);
  s += line;
  std::snprintf(line, sizeof line, "%-24s %10s %9s %14s\n", "layer", "weights", "sparsity", "expected drop");
  s += line;
  for (const LayerAllocation& l : a.layers) {
    std::snprintf(line, sizeof line, "%-24s %10lld %8.2f%% %11.2f pt\n", l.layer.c_str(), static_cast<long long>(l.numel),
                  100.0 * l.sparsity, 100.0 * l.expected_drop);
    s += line;
  }
  return s;
}

}  // namespace prunq
