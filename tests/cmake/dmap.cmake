# The Distributed Map example (examples/distributed-map-csv): its run
# script's output, with the Map Run's id replaced, compared with expected.
set(DMAP_EXAMPLE ${CMAKE_SOURCE_DIR}/examples/distributed-map-csv)
file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/work/examples/distributed-map-csv)
add_test(NAME examples/distributed-map-csv
         COMMAND bash -c "diff -u \"$1/expected\" <(bash \"$1/run\" \"$2\" \"$3\")" _
                 ${DMAP_EXAMPLE} $<TARGET_FILE:aslc> ${CMAKE_CURRENT_BINARY_DIR}/work/examples/distributed-map-csv)
set_tests_properties(examples/distributed-map-csv PROPERTIES TIMEOUT 60)
