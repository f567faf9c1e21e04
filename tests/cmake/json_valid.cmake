# asl_json_text_valid against asl_json_parse_checked (tests/json/valid_test.c).
add_executable(json_valid_test ${CMAKE_CURRENT_SOURCE_DIR}/json/valid_test.c)
target_link_libraries(json_valid_test PRIVATE aslrt)
target_compile_options(json_valid_test PRIVATE ${ASLC_WARNINGS})
add_test(NAME json/valid COMMAND json_valid_test)
