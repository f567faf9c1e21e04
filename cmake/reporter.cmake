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
