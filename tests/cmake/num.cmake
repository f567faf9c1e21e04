# Numbers as text (num/num.c): tricky cases and random doubles against
# a printf/strtod oracle (tests/num).
add_executable(num_test ${CMAKE_CURRENT_SOURCE_DIR}/num/num_test.c)
target_include_directories(num_test PRIVATE ${CMAKE_SOURCE_DIR}/runtime)
target_link_libraries(num_test PRIVATE aslrt)
target_compile_options(num_test PRIVATE ${ASLC_WARNINGS})
add_test(NAME num/text COMMAND num_test ${CMAKE_CURRENT_SOURCE_DIR}/num/cases.txt)
