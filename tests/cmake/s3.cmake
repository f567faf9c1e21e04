# --s3-endpoint against a real S3 API server (s3rver from npm, installed by
# tests/s3/install): aslc run, aslc serve and a program built with
# --s3-client read and write through it.
find_program(ASLC_PYTHON3 python3 REQUIRED)
add_test(NAME s3/endpoint
         COMMAND ${ASLC_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/s3/endpoint.py $<TARGET_FILE:aslc>
                 ${CMAKE_CURRENT_BINARY_DIR}/work/s3-endpoint)
set_tests_properties(s3/endpoint PROPERTIES TIMEOUT 300 ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
