# The findings of fuzz/fuzz_api.c (fuzz/regressions/api/) replayed without
# libFuzzer: the target needs the server, the store and the JIT, which
# tests/CMakeLists.txt's loop over the other targets does not link.
include(${CMAKE_SOURCE_DIR}/fuzz/api.cmake)
add_executable(replay_api ${CMAKE_SOURCE_DIR}/fuzz/fuzz_api.c ${CMAKE_SOURCE_DIR}/fuzz/replay.c)
fuzz_api_program(replay_api)
file(GLOB FUZZ_API_CASES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fuzz/regressions/api/*)
add_test(NAME fuzz/api COMMAND replay_api ${FUZZ_API_CASES})
