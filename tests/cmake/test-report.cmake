# aslc test's HTML page in a browser: each folder of tests/test-report/
# holds specs; `aslc test --report FILE.html` runs them, and the page and
# each case's execution report in its frame are loaded in headless
# Chromium and their DOM checked (tests/harness/test_report_check).
file(GLOB TEST_REPORT_DIRS LIST_DIRECTORIES true CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/test-report/*)
foreach(dir ${TEST_REPORT_DIRS})
  if(IS_DIRECTORY ${dir})
    get_filename_component(name ${dir} NAME)
    add_test(NAME test-report/${name}
             COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/harness/test_report_check $<TARGET_FILE:aslc> ${dir}
                     ${WORK}/test-report/${name})
    set_tests_properties(test-report/${name} PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
  endif()
endforeach()
