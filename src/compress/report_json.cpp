// report.json: the Report written field by field, and read back. Numbers that were not measured
// (NaN) are written as null and read back as NaN, so a partial report stays a valid file.
#include <filesystem>

#include "compress/report.h"
#include "compress/report_html.h"
#include "core/error.h"
#include "io/native/file_util.h"

namespace prunq::compress {
namespace {

Json num(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

// Reading: every field optional (older or partial files), but a field that is present must have
// the right type, else an error naming it.
class Reader {
 public:
  Reader(const Json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) fail(path_, ": expected an object");
  }
  double number(const char* key) const {
    const Json* v = find(key);
    if (!v || v->is_null()) return kNotMeasured;
    if (!v->is_number()) bad(key, "a number");
    return v->get<double>();
  }
  int64_t integer(const char* key) const {
    const Json* v = find(key);
    if (!v || v->is_null()) return 0;
    if (!v->is_number_integer()) bad(key, "an integer");
    return v->get<int64_t>();
  }
  bool flag(const char* key) const {
    const Json* v = find(key);
    if (!v) return false;
    if (!v->is_boolean()) bad(key, "true or false");
    return v->get<bool>();
  }
  std::string text(const char* key) const {
    const Json* v = find(key);
    if (!v || v->is_null()) return "";
    if (!v->is_string()) bad(key, "a string");
    return v->get<std::string>();
  }
  // Calls f(Reader) for each object of the array `key`.
  template <typename F>
  void each(const char* key, F f) const {
    const Json* v = find(key);
    if (!v) return;
    if (!v->is_array()) bad(key, "a list");
    for (size_t i = 0; i < v->size(); ++i) f(Reader((*v)[i], path_ + "." + key + "[" + std::to_string(i) + "]"));
  }
  Reader child(const char* key) const {
    const Json* v = find(key);
    static const Json empty = Json::object();
    return Reader(v ? *v : empty, path_ + "." + key);
  }
  std::vector<double> numbers(const char* key) const {
    std::vector<double> out;
    const Json* v = find(key);
    if (!v) return out;
    if (!v->is_array()) bad(key, "a list of numbers");
    for (const Json& x : *v) {
      if (!x.is_number() && !x.is_null()) bad(key, "a list of numbers");
      out.push_back(x.is_null() ? kNotMeasured : x.get<double>());
    }
    return out;
  }

 private:
  const Json* find(const char* key) const {
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  [[noreturn]] void bad(const char* key, const char* expected) const {
    fail(path_, ".", key, ": expected ", expected);
  }
  const Json& j_;
  std::string path_;
};

Json measurement_json(const ModelMeasurement& m) {
  Json latency = Json::array();
  for (const LatencyStats& l : m.latency)
    latency.push_back({{"batch", l.batch}, {"p50_ms", num(l.p50_ms)}, {"p90_ms", num(l.p90_ms)}});
  Json layers = Json::array();
  for (const LayerReport& l : m.layers)
    layers.push_back({{"name", l.name},
                      {"op", l.op},
                      {"precision", l.precision},
                      {"sparsity", num(l.sparsity)},
                      {"params", l.params},
                      {"macs", l.macs},
                      {"kernel", l.kernel},
                      {"note", l.note}});
  return {{"accuracy", num(m.accuracy)},
          {"samples", m.samples},
          {"file_bytes", m.file_bytes},
          {"params", m.params},
          {"nonzero_params", m.nonzero_params},
          {"macs", m.macs},
          {"latency", latency},
          {"peak_memory_bytes", m.peak_memory_bytes},
          {"layers", layers}};
}

ModelMeasurement measurement_from(const Reader& r) {
  ModelMeasurement m;
  m.accuracy = r.number("accuracy");
  m.samples = r.integer("samples");
  m.file_bytes = r.integer("file_bytes");
  m.params = r.integer("params");
  m.nonzero_params = r.integer("nonzero_params");
  m.macs = r.integer("macs");
  m.peak_memory_bytes = r.integer("peak_memory_bytes");
  r.each("latency", [&](const Reader& l) {
    m.latency.push_back({l.integer("batch"), l.number("p50_ms"), l.number("p90_ms")});
  });
  r.each("layers", [&](const Reader& l) {
    LayerReport x;
    x.name = l.text("name");
    x.op = l.text("op");
    x.precision = l.text("precision");
    x.sparsity = l.number("sparsity");
    x.params = l.integer("params");
    x.macs = l.integer("macs");
    x.kernel = l.text("kernel");
    x.note = l.text("note");
    m.layers.push_back(x);
  });
  return m;
}

}  // namespace

const LatencyStats* ModelMeasurement::latency_at(int64_t batch) const {
  for (const LatencyStats& l : latency)
    if (l.batch == batch) return &l;
  return nullptr;
}

const ModelMeasurement& Report::final_measurement() const { return stages.empty() ? baseline : stages.back().after; }

Json report_to_json(const Report& r) {
  Json stages = Json::array();
  for (const StageReport& s : r.stages)
    stages.push_back({{"index", s.index},
                      {"kind", s.kind},
                      {"summary", s.summary},
                      {"seconds", num(s.seconds)},
                      {"after", measurement_json(s.after)}});
  Json trials = Json::array();
  for (const TrialReport& t : r.trials)
    trials.push_back({{"id", t.id},
                      {"knob", t.knob},
                      {"value", num(t.value)},
                      {"accuracy", num(t.accuracy)},
                      {"drop_points", num(t.drop_points)},
                      {"file_bytes", t.file_bytes},
                      {"latency_ms", num(t.latency_ms)},
                      {"within_budget", t.within_budget},
                      {"chosen", t.chosen},
                      {"seconds", num(t.seconds)}});
  Json sensitivity = Json::array();
  for (const SensitivityCurve& c : r.sensitivity) {
    Json acc = Json::array();
    for (double a : c.accuracy) acc.push_back(num(a));
    sensitivity.push_back({{"layer", c.layer}, {"sparsity", c.sparsity}, {"accuracy", acc}});
  }
  return {{"model", r.model},
          {"recipe", r.recipe},
          {"recipe_source", r.recipe_source},
          {"data", r.data},
          {"cpu", r.cpu},
          {"isa", r.isa},
          {"threads", r.threads},
          {"seed", r.seed},
          {"headline_batch", r.headline_batch},
          {"max_drop_points", num(r.max_drop_points)},
          {"within_budget", r.within_budget},
          {"verdict", r.verdict},
          {"baseline", measurement_json(r.baseline)},
          {"stages", stages},
          {"trials", trials},
          {"sensitivity", sensitivity}};
}

Report report_from_json(const Json& j, const std::string& what) {
  const Reader in(j, what);
  Report r;
  r.model = in.text("model");
  r.recipe = in.text("recipe");
  r.recipe_source = in.text("recipe_source");
  r.data = in.text("data");
  r.cpu = in.text("cpu");
  r.isa = in.text("isa");
  r.threads = in.integer("threads");
  r.seed = in.integer("seed");
  r.headline_batch = in.integer("headline_batch");
  r.max_drop_points = in.number("max_drop_points");
  r.within_budget = in.flag("within_budget");
  r.verdict = in.text("verdict");
  r.baseline = measurement_from(in.child("baseline"));
  in.each("stages", [&](const Reader& s) {
    StageReport x;
    x.index = static_cast<int>(s.integer("index"));
    x.kind = s.text("kind");
    x.summary = s.text("summary");
    x.seconds = s.number("seconds");
    x.after = measurement_from(s.child("after"));
    r.stages.push_back(x);
  });
  in.each("trials", [&](const Reader& t) {
    TrialReport x;
    x.id = t.integer("id");
    x.knob = t.text("knob");
    x.value = t.number("value");
    x.accuracy = t.number("accuracy");
    x.drop_points = t.number("drop_points");
    x.file_bytes = t.integer("file_bytes");
    x.latency_ms = t.number("latency_ms");
    x.within_budget = t.flag("within_budget");
    x.chosen = t.flag("chosen");
    x.seconds = t.number("seconds");
    r.trials.push_back(x);
  });
  in.each("sensitivity", [&](const Reader& c) {
    SensitivityCurve x;
    x.layer = c.text("layer");
    x.sparsity = c.numbers("sparsity");
    x.accuracy = c.numbers("accuracy");
    if (x.sparsity.size() != x.accuracy.size()) fail(what, ": sensitivity curve '", x.layer, "' has unequal lists");
    r.sensitivity.push_back(x);
  });
  return r;
}

void write_report_files(const Report& r, const std::string& dir) {
  const std::filesystem::path d(dir);
  write_json_file((d / "report.json").string(), report_to_json(r));
  const std::string html = render_report_html(r);
  write_file_atomic((d / "report.html").string(), html.data(), html.size());
}

}  // namespace prunq::compress
