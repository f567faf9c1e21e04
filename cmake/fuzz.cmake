# Fuzzing (fuzz/): -DASLC_FUZZ=ON with clang builds the libFuzzer targets
# in fuzz/, the runtime and the compiler instrumented for coverage (use it
# with -DASLC_SANITIZE=ON, as fuzz/run does).
option(ASLC_FUZZ "Build the libFuzzer targets in fuzz/ (clang)" OFF)
if(ASLC_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ASLC_FUZZ needs clang (-DCMAKE_C_COMPILER=clang)")
  endif()
  target_compile_options(aslrt PRIVATE -fsanitize=fuzzer-no-link)
  target_compile_options(jsonata PRIVATE -fsanitize=fuzzer-no-link)
  target_compile_options(aslc_front PRIVATE -fsanitize=fuzzer-no-link)
  add_subdirectory(${CMAKE_SOURCE_DIR}/fuzz ${CMAKE_BINARY_DIR}/fuzz)
endif()
