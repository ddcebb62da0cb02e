#include "io/data/csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <sstream>

#include "io/data/file_bytes.h"

namespace prunq {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split_fields(const std::string& line, char delim) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"') {
      // "" inside quotes is a literal quote (RFC 4180).
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == delim && !quoted) {
      out.push_back(trim(field));
      field.clear();
    } else {
      field += c;
    }
  }
  out.push_back(trim(field));
  return out;
}

bool parse_number(const std::string& s, double* out) {
  if (s.empty()) return false;
  const char* b = s.c_str();
  char* end = nullptr;
  double v = std::strtod(b, &end);
  if (end != b + s.size()) return false;
  *out = v;
  return true;
}

// Resolves the label column option against the header (or the column count).
int resolve_label_column(const std::string& spec, const std::vector<std::string>& header, size_t ncols,
                         const std::string& origin) {
  if (spec.empty()) return -1;
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == spec) return int(i);
  int idx = 0;
  auto [p, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), idx);
  PRUNQ_CHECK(ec == std::errc() && p == spec.data() + spec.size(), "CSV '", origin, "': label column '", spec,
              "' is neither a column name", header.empty() ? " (the file has no header)" : "", " nor an index");
  if (idx < 0) idx += int(ncols);
  PRUNQ_CHECK(idx >= 0 && size_t(idx) < ncols, "CSV '", origin, "': label column index ", spec, " is out of range for ",
              ncols, " columns");
  return idx;
}

}  // namespace

CsvTable parse_csv(const std::string& text, const CsvOptions& options, const std::string& origin) {
  std::vector<std::pair<int, std::vector<std::string>>> rows;  // (1-based line, fields)
  {
    std::istringstream in(text);
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      if (trim(line).empty()) continue;
      rows.emplace_back(lineno, split_fields(line, options.delimiter));
    }
  }
  PRUNQ_CHECK(!rows.empty(), "CSV '", origin, "': no rows");

  bool has_header = options.header == CsvHeader::kYes;
  if (options.header == CsvHeader::kAuto) {
    double v;
    for (const std::string& f : rows[0].second)
      if (!parse_number(f, &v)) has_header = true;
  }
  std::vector<std::string> header;
  if (has_header) {
    header = rows[0].second;
    rows.erase(rows.begin());
  }
  const size_t ncols = has_header ? header.size() : (rows.empty() ? 0 : rows[0].second.size());
  PRUNQ_CHECK(!rows.empty(), "CSV '", origin, "': a header but no data rows");
  const int label = resolve_label_column(options.label_column, header, ncols, origin);
  PRUNQ_CHECK(label < 0 || ncols >= 2, "CSV '", origin, "': a label column needs at least one feature column");

  CsvTable t;
  for (size_t c = 0; c < ncols; ++c) {
    if (int(c) == label) continue;
    std::string name = "c";  // appended, not "c" + ...: GCC 12 warns falsely (-Wrestrict) on that
    name += std::to_string(c);
    t.columns.push_back(has_header ? header[c] : name);
  }
  const int64_t nrows = int64_t(rows.size());
  const int64_t nfeat = int64_t(t.columns.size());
  t.features = Tensor(DType::f32, {nrows, nfeat});
  if (label >= 0) t.labels = Tensor(DType::i64, {nrows});
  float* x = t.features.f32();
  for (int64_t r = 0; r < nrows; ++r) {
    const auto& [lineno, fields] = rows[size_t(r)];
    PRUNQ_CHECK(fields.size() == ncols, "CSV '", origin, "' line ", lineno, ": ", fields.size(), " fields, expected ",
                ncols);
    int64_t k = 0;
    for (size_t c = 0; c < ncols; ++c) {
      double v;
      PRUNQ_CHECK(parse_number(fields[c], &v), "CSV '", origin, "' line ", lineno, " column ", c + 1, ": '",
                  fields[c], "' is not a number");
      if (int(c) == label) {
        PRUNQ_CHECK(v >= 0 && std::floor(v) == v && v < 9.0e15, "CSV '", origin, "' line ", lineno, " column ", c + 1,
                    ": label '", fields[c], "' is not a non-negative integer");
        t.labels.data<int64_t>()[r] = int64_t(v);
      } else {
        x[r * nfeat + k++] = float(v);
      }
    }
  }
  return t;
}

CsvTable read_csv(const std::string& path, const CsvOptions& options) {
  std::vector<uint8_t> bytes = read_maybe_gzip(path);
  return parse_csv(std::string(bytes.begin(), bytes.end()), options, path);
}

std::string format_csv(const Tensor& tensor, const std::vector<std::string>& columns, char delimiter) {
  PRUNQ_CHECK(tensor.defined() && tensor.dtype() == DType::f32 && (tensor.rank() == 1 || tensor.rank() == 2),
              "CSV: can only write f32 [rows] or [rows, cols] tensors, got ", tensor.defined() ? tensor.desc() : "undefined");
  Tensor t = tensor.contiguous();
  const int64_t rows = t.dim(0), cols = t.rank() == 2 ? t.dim(1) : 1;
  PRUNQ_CHECK(columns.empty() || int64_t(columns.size()) == cols, "CSV: ", columns.size(), " column names for ", cols,
              " columns");
  std::ostringstream os;
  // max_digits10 keeps every float exactly round-trippable.
  os << std::setprecision(9);
  for (size_t c = 0; c < columns.size(); ++c) os << (c ? std::string(1, delimiter) : "") << columns[c];
  if (!columns.empty()) os << '\n';
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) os << (c ? std::string(1, delimiter) : "") << t.f32()[r * cols + c];
    os << '\n';
  }
  return os.str();
}

Dataset csv_to_dataset(const CsvTable& table, int64_t num_classes) {
  PRUNQ_CHECK(table.labels.defined(), "CSV dataset: no label column was chosen");
  Dataset d;
  d.images = table.features;
  d.labels = table.labels;
  int64_t max_label = -1;
  for (int64_t i = 0; i < d.labels.numel(); ++i) max_label = std::max(max_label, d.labels.data<int64_t>()[i]);
  d.num_classes = num_classes > 0 ? num_classes : max_label + 1;
  d.validate("CSV dataset");
  return d;
}

}  // namespace prunq
