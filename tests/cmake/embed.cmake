# The embedding example (examples/embed): the reference example compiled to
# C without main() and linked into a program of its own, which must see
# three executions succeed through the event stream.
set(EMBED_REF ${CMAKE_SOURCE_DIR}/examples/workflow-within-a-workflow)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/embed_machine.c
  COMMAND aslc ${EMBED_REF}/main.asl.json --emit-c --no-main -o ${CMAKE_CURRENT_BINARY_DIR}/embed_machine.c
  DEPENDS aslc ${EMBED_REF}/main.asl.json ${EMBED_REF}/nested.asl.json ${EMBED_REF}/aslc.json)
add_executable(embed_example ${CMAKE_SOURCE_DIR}/examples/embed/embed.c
               ${CMAKE_CURRENT_BINARY_DIR}/embed_machine.c ${EMBED_REF}/callback.c)
target_link_libraries(embed_example PRIVATE aslrt)
add_test(NAME examples/embed COMMAND embed_example)
set_tests_properties(examples/embed PROPERTIES TIMEOUT 60
  PASS_REGULAR_EXPRESSION "first ExecutionSucceeded.*second ExecutionSucceeded.*third ExecutionSucceeded")
