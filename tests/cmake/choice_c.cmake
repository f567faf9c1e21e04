# Every Choice rule case of unit/choice.test again through the C aslc writes
# for a Choice state (compiled by the JIT, which run_unit links as aslc
# does): the walker and the generated code must both give what each case
# expects.
target_sources(run_unit PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/harness/rule_c.c ${CMAKE_SOURCE_DIR}/compiler/build.c
                                ${CMAKE_BINARY_DIR}/asl_header.c)
if(ASLC_JIT)
  target_compile_definitions(run_unit PRIVATE ASLC_JIT ASLC_TCC_LIB_PATH="${TCC_LIB_PATH}")
  target_include_directories(run_unit PRIVATE ${TCC_INCLUDE_DIR})
  target_link_libraries(run_unit PRIVATE ${TCC_LIBRARY} dl pthread)
  target_link_options(run_unit PRIVATE -no-pie)
  add_test(NAME unit/choice-c COMMAND run_unit rule-c ${CMAKE_CURRENT_SOURCE_DIR}/unit/choice.test)
endif()
