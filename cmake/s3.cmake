# The S3 API client of --s3-endpoint (s3/: libcurl, libxml2). Linked into
# aslc (aslc run, aslc serve); built as libaslrt_s3.a for the programs that
# ask for it (aslc --s3-client links it whole, with -lcurl -lxml2), never
# part of libaslrt.
pkg_check_modules(LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0)
set(ASLC_S3_SOURCES ${CMAKE_SOURCE_DIR}/s3/s3client.c ${CMAKE_SOURCE_DIR}/s3/s3xml.c)
add_library(aslrt_s3 STATIC ${ASLC_S3_SOURCES})
target_link_libraries(aslrt_s3 PUBLIC aslrt PkgConfig::CURL PkgConfig::LIBXML2)
target_compile_options(aslrt_s3 PRIVATE ${ASLC_WARNINGS} -O2)
set_target_properties(aslrt_s3 PROPERTIES ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
# aslc takes the files themselves: their constructor installs the client.
target_sources(aslc PRIVATE ${ASLC_S3_SOURCES})
target_include_directories(aslc PRIVATE ${CMAKE_SOURCE_DIR}/s3)
target_link_libraries(aslc PRIVATE PkgConfig::LIBXML2)
add_dependencies(aslc aslrt_s3)
install(TARGETS aslrt_s3 ARCHIVE DESTINATION lib/aslc)
