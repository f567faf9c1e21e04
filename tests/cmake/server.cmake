# aslc serve with the real clients (boto3, the AWS CLI, the JavaScript SDK):
# each tests/server/NAME.py starts a server on a free loopback port and
# always stops it (tests/server/harness.py).
find_program(ASLC_PYTHON3 python3 REQUIRED)
file(GLOB SERVER_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/server/*.py)
list(REMOVE_ITEM SERVER_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/server/harness.py)
foreach(t ${SERVER_TESTS})
  get_filename_component(name ${t} NAME_WE)
  add_test(NAME server/${name} COMMAND ${ASLC_PYTHON3} ${t} $<TARGET_FILE:aslc>)
  set_tests_properties(server/${name} PROPERTIES TIMEOUT 180 ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
endforeach()
