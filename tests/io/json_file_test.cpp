// The toolkit's JSON files: what is written reads back the same (the resume and trial logs
// depend on it), floats are written in their shortest exact form, non-finite numbers and bad
// UTF-8 never make the writer throw, and a damaged file gives an error naming it.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "core/error.h"
#include "io/data_temp.h"
#include "io/json/json_file.h"

namespace prunq::testing {
namespace {

TEST(JsonFile, WritesAndReadsBack) {
  TempDir t;
  const std::string path = t.file("state.json");
  Json j = {{"stage", "prune"}, {"sparsity", 0.9}, {"trials", Json::array({1, 2, 3})}, {"ok", true}};
  j["nested"] = {{"bytes", int64_t{1} << 40}};
  write_json_file(path, j);
  EXPECT_EQ(read_json_file(path), j);
  // Keys keep their written order.
  EXPECT_EQ(read_json_file(path).begin().key(), "stage");
}

TEST(JsonFile, FloatsInShortestForm) {
  EXPECT_EQ(json_text(Json(json_float(1e-3f))), "0.001");
  EXPECT_EQ(json_text(Json(json_float(0.1f))), "0.1");
  EXPECT_EQ(static_cast<float>(json_float(3.14159274f)), 3.14159274f);
}

TEST(JsonFile, NonFiniteAndBadUtf8DoNotThrow) {
  Json j = {{"nan", std::nan("")}, {"inf", std::numeric_limits<double>::infinity()}, {"name", "a\xff" "b"}};
  std::string text;
  ASSERT_NO_THROW(text = json_text(j));
  EXPECT_NE(text.find("\"nan\":null"), std::string::npos) << text;
  EXPECT_NE(text.find("\"inf\":null"), std::string::npos) << text;
  EXPECT_NO_THROW(Json::parse(text));
}

TEST(JsonFile, DamagedFileNamesItself) {
  TempDir t;
  const std::string path = t.file("cut.json");
  std::ofstream(path) << "{\"stage\": \"pru";
  try {
    read_json_file(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_json_file(t.file("absent.json")), Error);
}

}  // namespace
}  // namespace prunq::testing
