# fuzz_api_program(TARGET): what fuzz/fuzz_api.c needs besides itself, for
# the libFuzzer target (fuzz/CMakeLists.txt) and its replay
# (tests/cmake/fuzz_api.cmake): the server's sources as aslc has them, the
# store's, the JIT (compiler/build.c, libtcc) and the embedded texts.
find_package(PkgConfig REQUIRED)
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
find_path(TCC_INCLUDE_DIR libtcc.h REQUIRED)
find_library(TCC_LIBRARY NAMES libtcc.a tcc REQUIRED)
find_path(TCC_LIB_PATH libtcc1.a PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/tcc /usr/lib/tcc /usr/local/lib/tcc
          NO_DEFAULT_PATH REQUIRED)
function(fuzz_api_program target)
  file(GLOB server CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/server/*.c)
  file(GLOB store CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/store/*.c)
  target_sources(${target} PRIVATE ${server} ${store} ${CMAKE_SOURCE_DIR}/compiler/build.c
                                   ${CMAKE_BINARY_DIR}/asl_header.c ${CMAKE_BINARY_DIR}/sfn_api.c)
  target_compile_definitions(${target} PRIVATE ASLC_JIT ASLC_TCC_LIB_PATH="${TCC_LIB_PATH}")
  target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/server ${CMAKE_SOURCE_DIR}/store
                                               ${CMAKE_SOURCE_DIR}/fuzz ${TCC_INCLUDE_DIR})
  target_link_libraries(${target} PRIVATE aslc_front PkgConfig::MHD PkgConfig::CURL PkgConfig::SQLITE3
                                          ${TCC_LIBRARY} dl pthread)
  target_link_options(${target} PRIVATE -no-pie)
endfunction()
