# asl_json_parse's fast path against cJSON's reader (tests/json/read_test.c).
add_executable(json_read_test ${CMAKE_CURRENT_SOURCE_DIR}/json/read_test.c)
target_link_libraries(json_read_test PRIVATE aslrt)
target_compile_options(json_read_test PRIVATE ${ASLC_WARNINGS})
add_test(NAME json/read COMMAND json_read_test)
