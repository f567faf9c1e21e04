# libaslreport (reporter/): the run half of `--report FILE.html`. aslc
# links it (aslc run --report, aslc test --report, the server's pages); a
# program links it only when built with --with-report (compiler/build.c
# finds it next to libaslrt.a), so the runtime every program links stays
# free of the report.
add_library(aslreport STATIC ${CMAKE_SOURCE_DIR}/reporter/writer.c)
target_include_directories(aslreport PUBLIC ${CMAKE_SOURCE_DIR}/reporter)
target_compile_options(aslreport PRIVATE ${ASLC_WARNINGS} -O2)
target_link_libraries(aslreport PUBLIC aslrt)
set_target_properties(aslreport PROPERTIES ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
target_link_libraries(aslc_front PUBLIC aslreport)
install(TARGETS aslreport ARCHIVE DESTINATION lib/aslc)

# The page of a whole test run (aslc test --report FILE.html), embedded
# into aslc as a C string, as the report's parts are.
file(READ ${CMAKE_SOURCE_DIR}/compiler/report/tests.html TESTS_PAGE_HEX HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," TESTS_PAGE_BYTES "${TESTS_PAGE_HEX}")
file(WRITE ${CMAKE_BINARY_DIR}/report_tests_page.c
     "/* Generated from compiler/report/tests.html by CMake. */\nextern const char report_tests_html[];\nconst char report_tests_html[] = {${TESTS_PAGE_BYTES} 0};\n")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/compiler/report/tests.html)
target_sources(aslc_front PRIVATE ${CMAKE_BINARY_DIR}/report_tests_page.c)
