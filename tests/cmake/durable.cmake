# Durable executions: snapshots restored into a new engine (tests/durable).
set(DURABLE_DIR ${CMAKE_CURRENT_SOURCE_DIR}/durable)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/durable_machine.c
  COMMAND aslc ${DURABLE_DIR}/main.asl.json --machine child=${DURABLE_DIR}/child.asl.json
          --tasks ${DURABLE_DIR}/handlers.c --emit-c --no-main -o ${CMAKE_CURRENT_BINARY_DIR}/durable_machine.c
  DEPENDS aslc ${DURABLE_DIR}/main.asl.json ${DURABLE_DIR}/child.asl.json ${DURABLE_DIR}/handlers.c)
add_executable(durable_restore_test ${DURABLE_DIR}/restore_test.c ${DURABLE_DIR}/handlers.c
               ${CMAKE_CURRENT_BINARY_DIR}/durable_machine.c)
target_link_libraries(durable_restore_test PRIVATE aslrt)
target_compile_options(durable_restore_test PRIVATE ${ASLC_WARNINGS})
add_test(NAME durable/restore COMMAND durable_restore_test)

# aslc serve --data across restarts and crashes, with boto3 (tests/durable/*.py).
find_program(ASLC_PYTHON3 python3 REQUIRED)
foreach(t restart crash)
  add_test(NAME durable/${t} COMMAND ${ASLC_PYTHON3} ${DURABLE_DIR}/${t}.py $<TARGET_FILE:aslc>)
  set_tests_properties(durable/${t} PROPERTIES TIMEOUT 180 ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
endforeach()
