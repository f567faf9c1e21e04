# The execution report in a browser: each folder of tests/report/ is run,
# its report written and loaded in headless Chromium, and the DOM checked
# (tests/harness/report_check).
file(GLOB REPORT_DIRS LIST_DIRECTORIES true CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/report/*)
foreach(dir ${REPORT_DIRS})
  if(IS_DIRECTORY ${dir})
    get_filename_component(name ${dir} NAME)
    add_test(NAME report/${name}
             COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/harness/report_check $<TARGET_FILE:aslc> ${dir} ${WORK}/report/${name})
    set_tests_properties(report/${name} PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
  endif()
endforeach()
