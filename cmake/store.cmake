# The store of aslc serve --data (store/): SQLite, linked into aslc only.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
file(GLOB ASLC_STORE_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/store/*.c)
target_sources(aslc PRIVATE ${ASLC_STORE_SOURCES})
target_include_directories(aslc PRIVATE ${CMAKE_SOURCE_DIR}/store)
target_link_libraries(aslc PRIVATE PkgConfig::SQLITE3)
