#include <gtest/gtest.h>

#include <functional>

#include "io/data/csv.h"
#include "io/data/file_bytes.h"
#include "io/data_temp.h"
#include "support/error_of.h"

namespace prunq {
namespace {

using testing::error_of;

TEST(DataCsv, AutoDetectsHeaderAndSplitsOffTheLabelColumnByName) {
  CsvOptions o;
  o.label_column = "label";
  CsvTable t = parse_csv("a,label,b\n1.5,2,3\n-4,0,5e-1\n\n", o, "t.csv");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.features.shape(), (Shape{2, 2}));
  EXPECT_FLOAT_EQ(t.features.f32()[0], 1.5f);
  EXPECT_FLOAT_EQ(t.features.f32()[3], 0.5f);
  EXPECT_EQ(t.labels.data<int64_t>()[0], 2);
  Dataset d = csv_to_dataset(t);
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_EQ(d.size(), 2);
}

TEST(DataCsv, HeaderlessWithNegativeLabelIndexAndOtherDelimiter) {
  CsvOptions o;
  o.delimiter = ';';
  o.label_column = "-1";
  CsvTable t = parse_csv("1;2;7\n3;4;1\n", o, "t.csv");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"c0", "c1"}));
  EXPECT_EQ(t.labels.data<int64_t>()[0], 7);
  EXPECT_FLOAT_EQ(t.features.f32()[2], 3.f);

  CsvOptions forced;
  forced.header = CsvHeader::kYes;
  EXPECT_EQ(parse_csv("1,2\n3,4\n", forced, "h").features.shape(), (Shape{1, 2}));
  EXPECT_FALSE(parse_csv("1,2\n", {}, "n").labels.defined());
}

TEST(DataCsv, RoundTripsThroughFormatAndAFile) {
  testing::TempDir dir;
  Tensor x = Tensor::from_vector({2, 3}, {0.1f, -2.5f, 3e8f, 1.f / 3.f, 0.f, -1e-20f});
  const std::string text = format_csv(x, {"x", "y", "z"});
  write_file_bytes(dir.file("x.csv"), std::vector<uint8_t>(text.begin(), text.end()));
  CsvTable back = read_csv(dir.file("x.csv"));
  EXPECT_EQ(back.columns, (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_EQ(max_abs_diff(back.features, x), 0.f);  // 9 significant digits round-trip floats exactly
}

TEST(DataCsv, BadFilesNameLineAndColumn) {
  const std::string ragged = error_of([] { parse_csv("1,2\n3\n", {}, "r.csv"); });
  EXPECT_NE(ragged.find("r.csv' line 2: 1 fields, expected 2"), std::string::npos) << ragged;
  CsvOptions h;
  h.header = CsvHeader::kNo;
  const std::string nan = error_of([&] { parse_csv("1,2\n3,abc\n", h, "n.csv"); });
  EXPECT_NE(nan.find("line 2 column 2: 'abc' is not a number"), std::string::npos) << nan;
  CsvOptions lab;
  lab.label_column = "0";
  const std::string frac = error_of([&] { parse_csv("1.5,2\n", lab, "l.csv"); });
  EXPECT_NE(frac.find("not a non-negative integer"), std::string::npos) << frac;
  CsvOptions missing;
  missing.label_column = "target";
  EXPECT_NE(error_of([&] { parse_csv("a,b\n1,2\n", missing, "m.csv"); }).find("label column 'target'"), std::string::npos);
  CsvOptions range;
  range.label_column = "5";
  EXPECT_NE(error_of([&] { parse_csv("1,2\n", range, "o.csv"); }).find("out of range"), std::string::npos);
  EXPECT_THROW(parse_csv("", {}, "empty.csv"), Error);
  EXPECT_THROW(parse_csv("a,b\n", {}, "header_only.csv"), Error);
  EXPECT_THROW(csv_to_dataset(parse_csv("1,2\n", {}, "nolabel")), Error);
  EXPECT_THROW(read_csv("/nonexistent/prunq.csv"), Error);
}

}  // namespace
}  // namespace prunq
