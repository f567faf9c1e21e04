# The JSONata module's own tests (jsonata/tests/), built from the module
# (with num/, its numbers as text) and cJSON alone: its C API (api_test.c) and every file of standard
# JSONata cases (*.test, run by run_lang.c).
set(JSONATA_TESTS ${CMAKE_SOURCE_DIR}/jsonata/tests)
foreach(t run_lang api_test)
  add_executable(jsonata_${t} ${JSONATA_TESTS}/${t}.c)
  target_link_libraries(jsonata_${t} PRIVATE jsonata num ${CJSON_LIBRARY} m)
  target_compile_options(jsonata_${t} PRIVATE ${ASLC_WARNINGS})
endforeach()
add_test(NAME jsonata/api COMMAND jsonata_api_test)
file(GLOB JSONATA_CASE_FILES CONFIGURE_DEPENDS ${JSONATA_TESTS}/*.test)
foreach(f ${JSONATA_CASE_FILES})
  get_filename_component(name ${f} NAME_WE)
  add_test(NAME jsonata/${name} COMMAND jsonata_run_lang ${f})
endforeach()
