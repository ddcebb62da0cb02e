// Numeric CSV tables: one sample per row, optional header row, optional integer label column.
// Used for user-supplied tensors (`prunq run --input x.csv`) and small tabular datasets.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/data/dataset.h"

namespace prunq {

enum class CsvHeader { kAuto, kYes, kNo };

struct CsvOptions {
  char delimiter = ',';
  // kAuto: the first row is a header when any of its fields is not a number.
  CsvHeader header = CsvHeader::kAuto;
  // Label column: a column name (needs a header) or an index ("0", "-1" = last). Empty: no labels.
  std::string label_column;
};

struct CsvTable {
  std::vector<std::string> columns;  // feature column names (from the header, else "c0", "c1", ...)
  Tensor features;                   // f32 [rows, feature columns]
  Tensor labels;                     // i64 [rows] when a label column was chosen, else undefined
};

// Errors name the origin, the 1-based line and the column of the offending field.
CsvTable parse_csv(const std::string& text, const CsvOptions& options, const std::string& origin);
CsvTable read_csv(const std::string& path, const CsvOptions& options = {});

// Writes an f32 [rows, cols] (or [rows]) tensor as CSV, with an optional header line.
std::string format_csv(const Tensor& t, const std::vector<std::string>& columns = {}, char delimiter = ',');

// A CSV table with labels as a Dataset (features [N, F]); num_classes = max label + 1 unless given.
Dataset csv_to_dataset(const CsvTable& table, int64_t num_classes = 0);

}  // namespace prunq
