# prunq_library(name dir...): a static library from every .cpp under the given folders.
# Kernel variants are compiled with their own ISA flags, chosen by the file name:
#   *avx2*.cpp -> AVX2+FMA+F16C, *avxvnni*.cpp -> + AVX-VNNI, *avx512vnni*.cpp -> AVX-512 + VNNI,
#   *avx512*.cpp -> AVX-512 F/BW/DQ/VL;
#   *neoni8mm*.cpp -> ARMv8.2-A + dot product + int8 matrix multiply, *neondot*.cpp -> ARMv8.2-A +
#   dot product, *neon*.cpp -> baseline AArch64 (Advanced SIMD is always there). NEON files also
#   get -fno-schedule-insns: GCC 12's scheduling before register allocation hoists the weight
#   loads of unrolled micro-kernel loops and spills accumulators to make room (the SDOT kernel
#   kept 3 of its 16 on the stack); the scheduling after allocation still runs.
# Never -march=native: the binary picks at run time. Each architecture's files are left out on
# the other (the dispatch tables then only see scalar and that architecture's variants).
set(PRUNQ_X86 OFF)
set(PRUNQ_ARM64 OFF)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|i.86")
  set(PRUNQ_X86 ON)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64|ARM64")
  set(PRUNQ_ARM64 ON)
endif()

# prunq_isa_flags(file flags arch): the file's ISA compile flags and its architecture (x86,
# arm64, or empty for portable files).
function(prunq_isa_flags file out arch)
  get_filename_component(n ${file} NAME)
  set(f "")
  set(a "")
  if(n MATCHES "neoni8mm")
    set(f -march=armv8.2-a+dotprod+i8mm -fno-schedule-insns)
    set(a arm64)
  elseif(n MATCHES "neondot")
    set(f -march=armv8.2-a+dotprod -fno-schedule-insns)
    set(a arm64)
  elseif(n MATCHES "neon")
    set(f -fno-schedule-insns)
    set(a arm64)
  elseif(n MATCHES "avx512vnni")
    set(f -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512vnni -mavx2 -mfma -mf16c)
  elseif(n MATCHES "avx512")
    set(f -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx2 -mfma -mf16c)
  elseif(n MATCHES "avxvnni")
    set(f -mavx2 -mfma -mf16c -mavxvnni)
  elseif(n MATCHES "avx2")
    set(f -mavx2 -mfma -mf16c)
  endif()
  if(f AND NOT a)
    set(a x86)
  endif()
  set(${out} "${f}" PARENT_SCOPE)
  set(${arch} "${a}" PARENT_SCOPE)
endfunction()

function(prunq_library name)
  set(srcs "")
  foreach(dir ${ARGN})
    file(GLOB_RECURSE s CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*.cpp)
    list(APPEND srcs ${s})
  endforeach()
  set(kept "")
  foreach(s ${srcs})
    prunq_isa_flags(${s} flags arch)
    if((arch STREQUAL "x86" AND NOT PRUNQ_X86) OR (arch STREQUAL "arm64" AND NOT PRUNQ_ARM64))
      continue()
    endif()
    if(flags)
      set_source_files_properties(${s} PROPERTIES COMPILE_OPTIONS "${flags}")
    endif()
    list(APPEND kept ${s})
  endforeach()
  if(NOT kept)
    # Empty folders are fine while the tree grows: an interface library keeps targets linkable.
    add_library(${name} INTERFACE)
  else()
    add_library(${name} STATIC ${kept})
  endif()
endfunction()

# prunq_link(target deps...): PUBLIC link that also works while a library is still INTERFACE.
function(prunq_link name)
  get_target_property(t ${name} TYPE)
  if(t STREQUAL "INTERFACE_LIBRARY")
    target_link_libraries(${name} INTERFACE ${ARGN})
  else()
    target_link_libraries(${name} PUBLIC ${ARGN})
  endif()
endfunction()
