// JSON for the toolkit's outputs and the files it reads back (metrics, reports, trial logs,
// resume state), on nlohmann-json. Keys keep the order they were written in, so the files
// read like the code that wrote them.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

namespace prunq {

using Json = nlohmann::ordered_json;

// A float as the shortest decimal that reads back as the same float: 1e-3f is written as
// 0.001, not as the double 0.0010000000474974513.
double json_float(float v);

// Text of `j`: one line when indent < 0. Non-finite numbers become null (JSON has no NaN) and
// invalid UTF-8 in strings (a file name, say) is replaced rather than thrown on.
std::string json_text(const Json& j, int indent = -1);

// Parses `text`; `what` names its origin in the error ("report.json", "line 3 of trials.jsonl").
Json parse_json(const std::string& text, const std::string& what);

// The whole file as JSON; an Error naming the file and what is wrong with it.
Json read_json_file(const std::string& path);

// Writes `j` (and a final newline) atomically: readers see the old file or the new one.
void write_json_file(const std::string& path, const Json& j, int indent = 2);

}  // namespace prunq
