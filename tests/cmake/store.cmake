# The store of aslc serve --data (store/, SQLite), tested on its own.
add_executable(store_test ${CMAKE_CURRENT_SOURCE_DIR}/store/store_test.c ${ASLC_STORE_SOURCES})
target_include_directories(store_test PRIVATE ${CMAKE_SOURCE_DIR}/store)
target_link_libraries(store_test PRIVATE PkgConfig::SQLITE3)
target_compile_options(store_test PRIVATE ${ASLC_WARNINGS})
add_test(NAME store/sqlite COMMAND store_test)
