# The embedding API, tested as an embedder uses it (tests/engine).
set(ENGINE_DIR ${CMAKE_CURRENT_SOURCE_DIR}/engine)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/engine_machine.c
  COMMAND aslc ${ENGINE_DIR}/machine.asl.json --tasks ${ENGINE_DIR}/approver.c --emit-c --no-main
          -o ${CMAKE_CURRENT_BINARY_DIR}/engine_machine.c
  DEPENDS aslc ${ENGINE_DIR}/machine.asl.json ${ENGINE_DIR}/approver.c)
add_executable(engine_test ${ENGINE_DIR}/engine_test.c ${ENGINE_DIR}/approver.c
               ${CMAKE_CURRENT_BINARY_DIR}/engine_machine.c)
target_link_libraries(engine_test PRIVATE aslrt)
target_compile_options(engine_test PRIVATE ${ASLC_WARNINGS})
add_test(NAME engine/api COMMAND engine_test)

# The Map Run calls (tests/engine/maprun_test.c) on a Distributed Map.
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/maprun_machine.c
  COMMAND aslc ${ENGINE_DIR}/maprun.asl.json --emit-c --no-main -o ${CMAKE_CURRENT_BINARY_DIR}/maprun_machine.c
  DEPENDS aslc ${ENGINE_DIR}/maprun.asl.json)
add_executable(maprun_test ${ENGINE_DIR}/maprun_test.c ${CMAKE_CURRENT_BINARY_DIR}/maprun_machine.c)
target_link_libraries(maprun_test PRIVATE aslrt)
target_compile_options(maprun_test PRIVATE ${ASLC_WARNINGS})
add_test(NAME engine/maprun COMMAND maprun_test)

# A child's input outlives its forgotten parent (tests/engine/views_test.c).
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/views_machine.c
  COMMAND aslc ${ENGINE_DIR}/views_parent.asl.json
          --machine arn:aws:states:us-east-1:123456789012:stateMachine:Later=${ENGINE_DIR}/views_child.asl.json
          --emit-c --no-main -o ${CMAKE_CURRENT_BINARY_DIR}/views_machine.c
  DEPENDS aslc ${ENGINE_DIR}/views_parent.asl.json ${ENGINE_DIR}/views_child.asl.json)
add_executable(views_test ${ENGINE_DIR}/views_test.c ${CMAKE_CURRENT_BINARY_DIR}/views_machine.c)
target_link_libraries(views_test PRIVATE aslrt)
target_compile_options(views_test PRIVATE ${ASLC_WARNINGS})
add_test(NAME engine/views COMMAND views_test)
