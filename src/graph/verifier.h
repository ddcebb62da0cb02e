// Structural checks of a Graph before anything runs it: every value id in range, every node
// input defined (graph input, initializer or a node output), one producer per value, no cycles,
// graph outputs defined, node and value names unique and non-empty, initializer data matching
// its value's declared type (and its mask), and every op known to the registry.
// All problems are collected, so one Error lists every unknown op with its node name.
#pragma once
#include <string>
#include <vector>

#include "graph/graph.h"

namespace prunq {

// Every problem found, one human-readable line each; empty when the graph is valid.
std::vector<std::string> find_graph_problems(const Graph& graph);

// Throws prunq::Error "graph '<name>' is invalid: ..." listing every problem.
void verify_graph(const Graph& graph);

}  // namespace prunq
