# Cross-compiles prunq for 64-bit ARM Linux with Debian's aarch64-linux-gnu toolchain
# (package g++-aarch64-linux-gnu). Tests and gtest discovery run the target binaries through
# qemu-aarch64 (package qemu-user); -L points the emulator's dynamic loader at the target sysroot.
# Used by scripts/cross-aarch64.sh; normally together with -DPRUNQ_RUNTIME_ONLY=ON.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(PRUNQ_CROSS_TRIPLE aarch64-linux-gnu)
set(PRUNQ_CROSS_SYSROOT /usr/${PRUNQ_CROSS_TRIPLE})

set(CMAKE_C_COMPILER ${PRUNQ_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${PRUNQ_CROSS_TRIPLE}-g++)

# Libraries and headers come only from the target sysroot (never the host's x86 ones);
# programs (ninja, qemu) come from the host.
set(CMAKE_FIND_ROOT_PATH ${PRUNQ_CROSS_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(PRUNQ_QEMU_AARCH64 qemu-aarch64)
if(PRUNQ_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${PRUNQ_QEMU_AARCH64} -L ${PRUNQ_CROSS_SYSROOT})
endif()
