// prune_structured: options, the choice of what to cut per group (or which blocks go), and the
// report. The analysis, scoring and surgery live in the files next to this one.
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include "graph/model_stats.h"
#include "prune/prunable.h"
#include "prune/structured.h"
#include "prune/structured/block_removal.h"
#include "prune/structured/channel_surgery.h"
#include "prune/structured/dependency_groups.h"
#include "prune/structured/importance.h"

namespace prunq {
namespace {

using namespace structured;

// Does the pattern name the node, or the weight (input 1) it reads, as unstructured pruning's
// --keep-dense patterns do?
bool names_node(const Graph& g, const std::string& pattern, const Node& n) {
  if (glob_match(pattern, n.name)) return true;
  return n.inputs.size() > 1 && n.inputs[1] != kNoValue && g.is_initializer(n.inputs[1]) &&
         glob_match(pattern, g.value(n.inputs[1]).name);
}

// The nodes named by o.exclude; an entry that names no node is an Error.
std::vector<NodeId> excluded_nodes(const Graph& g, const std::vector<std::string>& exclude) {
  std::vector<NodeId> ids;
  for (const std::string& pattern : exclude) {
    bool any = false;
    for (NodeId n = 0; n < static_cast<NodeId>(g.nodes().size()); ++n)
      if (names_node(g, pattern, g.node(n))) {
        any = true;
        if (std::find(ids.begin(), ids.end(), n) == ids.end()) ids.push_back(n);
      }
    PRUNQ_CHECK(any, "structured pruning: no node of '", g.name, "' is named '", pattern, "' (--exclude)");
  }
  return ids;
}

void check_options(const StructuredPruneOptions& o) {
  PRUNQ_CHECK(std::isfinite(o.ratio) && o.ratio >= 0 && o.ratio < 1, "structured pruning: ratio must be in [0, 1), got ",
              o.ratio);
  PRUNQ_CHECK(o.round_to >= 1, "structured pruning: round_to must be >= 1, got ", o.round_to);
  if (o.criterion == ImportanceCriterion::kTaylor) {
    PRUNQ_CHECK(o.data, "structured pruning: the taylor criterion needs data (labelled samples)");
    PRUNQ_CHECK(o.taylor_batches > 0 && o.batch_size > 0,
                "structured pruning: taylor needs taylor_batches > 0 and batch_size > 0, got ", o.taylor_batches,
                " and ", o.batch_size);
  }
}

std::vector<std::string> names_of(const Graph& g, const std::vector<NodeId>& ids) {
  std::vector<std::string> out;
  for (NodeId n : ids) out.push_back(g.node(n).name);
  return out;
}

// How many of a group's `total` units go: the ratio of the group, kept units rounded up to a
// multiple of round_to when the group has that many, at most the `free` ones.
int64_t units_to_remove(int64_t total, int64_t free, const StructuredPruneOptions& o) {
  int64_t keep = std::max<int64_t>(1, total - std::llround(static_cast<double>(total) * o.ratio));
  if (o.round_to > 1 && total >= o.round_to) keep = std::min(total, (keep + o.round_to - 1) / o.round_to * o.round_to);
  return std::min(free, total - keep);
}

void prune_channels(Graph& g, const StructuredPruneOptions& o, const std::vector<NodeId>& keep,
                    StructuredPruneReport& r) {
  const ChannelAnalysis a = analyze_channels(g, keep);
  std::vector<double> taylor;
  if (o.criterion == ImportanceCriterion::kTaylor) taylor = taylor_scores(g, a, *o.data, o.taylor_batches, o.batch_size);
  const std::vector<NodeId> producer = g.producer_map();

  // Channels left per value: a cluster may only go when every value it touches keeps one.
  std::vector<int64_t> left(a.range.size());
  for (size_t v = 0; v < a.range.size(); ++v) left[v] = a.range[v].count;
  std::vector<bool> alive(a.cluster_elements.size(), true);
  bool any_cut = false;

  for (const DependencyGroup& grp : a.groups) {
    if (grp.conv != (o.method == StructuredMethod::kChannel)) continue;
    PrunedGroup pg;
    const NodeId head = producer[grp.numbering];
    pg.name = head >= 0 ? g.node(head).name : g.value(grp.numbering).name;
    pg.producers = names_of(g, grp.producers);
    pg.coupled = names_of(g, grp.coupled);
    pg.channels_before = pg.channels_after = static_cast<int64_t>(grp.clusters.size());
    std::vector<size_t> free;
    for (size_t i = 0; i < grp.clusters.size(); ++i)
      if (a.fixed_reason[grp.clusters[i]].empty()) free.push_back(i);
    const int64_t goal = units_to_remove(pg.channels_before, static_cast<int64_t>(free.size()), o);
    if (free.empty()) {
      pg.skipped_because = a.fixed_reason[grp.clusters[0]];
      r.groups.push_back(std::move(pg));
      continue;
    }
    if (goal == 0) {
      pg.skipped_because = "the ratio removes no channel of " + std::to_string(pg.channels_before);
      r.groups.push_back(std::move(pg));
      continue;
    }
    std::vector<double> score;
    if (o.criterion == ImportanceCriterion::kTaylor) {
      for (int64_t cl : grp.clusters) score.push_back(taylor[cl]);
      pg.criterion = "taylor";
    } else {
      GroupScores s = weight_scores(g, a, grp, o.criterion);
      score = std::move(s.score);
      pg.criterion = s.criterion;
    }
    std::stable_sort(free.begin(), free.end(), [&](size_t x, size_t y) { return score[x] < score[y]; });
    for (size_t i : free) {
      if (static_cast<int64_t>(pg.removed.size()) == goal) break;
      const std::vector<int64_t>& elems = a.cluster_elements[grp.clusters[i]];
      std::map<ValueId, int64_t> take;
      for (int64_t e : elems) ++take[a.value_of[e]];
      if (std::any_of(take.begin(), take.end(), [&](const auto& t) { return left[t.first] - t.second < 1; })) continue;
      for (const auto& [v, n] : take) left[v] -= n;
      alive[grp.clusters[i]] = false;
      pg.removed.push_back(static_cast<int64_t>(i));
    }
    std::sort(pg.removed.begin(), pg.removed.end());
    pg.channels_after = pg.channels_before - static_cast<int64_t>(pg.removed.size());
    pg.pruned = !pg.removed.empty();
    if (!pg.pruned) pg.skipped_because = "every channel is needed to keep a tensor non-empty";
    any_cut = any_cut || pg.pruned;
    r.groups.push_back(std::move(pg));
  }
  if (any_cut) cut_channels(g, a, alive);
}

void prune_blocks(Graph& g, const StructuredPruneOptions& o, const std::vector<NodeId>& keep,
                  StructuredPruneReport& r) {
  std::vector<BlockCandidate> cands;
  for (BlockCandidate& c : find_block_candidates(g))
    if (std::none_of(c.nodes.begin(), c.nodes.end(),
                     [&](NodeId n) { return std::find(keep.begin(), keep.end(), n) != keep.end(); }))
      cands.push_back(std::move(c));
  r.block_candidates = static_cast<int64_t>(cands.size());
  if (cands.empty()) return;
  const std::vector<double> score = block_scores(g, cands, o, &r.criterion);
  std::vector<size_t> order(cands.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return score[x] < score[y]; });
  const int64_t goal = std::llround(static_cast<double>(cands.size()) * o.ratio);
  std::vector<BlockCandidate> chosen;
  std::set<NodeId> taken;
  for (size_t i : order) {
    if (static_cast<int64_t>(chosen.size()) == goal) break;
    const BlockCandidate& c = cands[i];
    // Blocks can nest (a layer inside a residual branch): the less important one goes.
    if (std::any_of(c.nodes.begin(), c.nodes.end(), [&](NodeId n) { return taken.count(n) != 0; })) continue;
    taken.insert(c.nodes.begin(), c.nodes.end());
    RemovedBlock rb;
    rb.name = g.node(c.head).name;
    rb.kind = c.kind;
    rb.nodes = names_of(g, c.nodes);
    rb.importance = score[i];
    std::set<ValueId> params;
    for (NodeId n : c.nodes)
      for (ValueId v : g.node(n).inputs)
        if (v != kNoValue && g.initializer(v) && g.initializer(v)->trainable && params.insert(v).second)
          rb.params += g.initializer(v)->data.numel();
    r.removed_blocks.push_back(std::move(rb));
    chosen.push_back(c);
  }
  if (!chosen.empty()) remove_blocks(g, chosen);
}

}  // namespace

StructuredMethod parse_structured_method(const std::string& s) {
  if (s == "channel") return StructuredMethod::kChannel;
  if (s == "unit") return StructuredMethod::kUnit;
  if (s == "block") return StructuredMethod::kBlock;
  fail("unknown structured pruning method '", s, "' (known: channel, unit, block)");
}

ImportanceCriterion parse_importance_criterion(const std::string& s) {
  if (s == "l1") return ImportanceCriterion::kL1;
  if (s == "l2") return ImportanceCriterion::kL2;
  if (s == "bn-gamma") return ImportanceCriterion::kBnGamma;
  if (s == "taylor") return ImportanceCriterion::kTaylor;
  fail("unknown importance criterion '", s, "' (known: l1, l2, bn-gamma, taylor)");
}

const char* structured_method_name(StructuredMethod m) {
  switch (m) {
    case StructuredMethod::kChannel: return "channel";
    case StructuredMethod::kUnit: return "unit";
    case StructuredMethod::kBlock: return "block";
  }
  return "?";
}

const char* importance_criterion_name(ImportanceCriterion c) {
  switch (c) {
    case ImportanceCriterion::kL1: return "l1";
    case ImportanceCriterion::kL2: return "l2";
    case ImportanceCriterion::kBnGamma: return "bn-gamma";
    case ImportanceCriterion::kTaylor: return "taylor";
  }
  return "?";
}

StructuredPruneReport prune_structured(Graph& g, const StructuredPruneOptions& o) {
  check_options(o);
  StructuredPruneReport r;
  r.method = o.method;
  r.criterion = importance_criterion_name(o.criterion);
  const std::vector<NodeId> keep = excluded_nodes(g, o.exclude);
  r.params_before = g.num_parameters();
  r.macs_before = compute_model_stats(g, 1).macs;
  if (o.method == StructuredMethod::kBlock) {
    prune_blocks(g, o, keep, r);
  } else {
    prune_channels(g, o, keep, r);
  }
  r.params_after = g.num_parameters();
  r.macs_after = compute_model_stats(g, 1).macs;
  return r;
}

std::string format_structured_report(const StructuredPruneReport& r) {
  std::ostringstream os;
  os << "structured pruning: " << structured_method_name(r.method) << ", criterion " << r.criterion << "\n";
  if (r.method == StructuredMethod::kBlock) {
    os << "  " << r.removed_blocks.size() << " of " << r.block_candidates << " removable blocks removed\n";
    for (const RemovedBlock& b : r.removed_blocks)
      os << "  - " << b.kind << " " << b.name << " (" << b.nodes.size() << " nodes, " << b.params
         << " parameters, importance " << b.importance << ")\n";
  } else {
    for (const PrunedGroup& pg : r.groups) {
      os << "  " << pg.name << ": ";
      if (pg.pruned) {
        os << pg.channels_before << " -> " << pg.channels_after << " (" << pg.criterion << ")";
        if (!pg.coupled.empty()) {
          os << ", also cuts";
          for (const std::string& c : pg.coupled) os << " " << c;
        }
      } else {
        os << pg.channels_before << " kept (" << pg.skipped_because << ")";
      }
      os << "\n";
    }
  }
  os << "  parameters " << r.params_before << " -> " << r.params_after << ", MACs per sample " << r.macs_before
     << " -> " << r.macs_after << "\n";
  return os.str();
}

}  // namespace prunq
