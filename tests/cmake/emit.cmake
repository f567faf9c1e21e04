# Goldens of the generated C (aslc --emit-c): it is meant to be read, and it
# must stay deterministic. ASLC_UPDATE_GOLDEN=1 ctest -R emit/ rewrites them.
file(GLOB EMIT_DIRS LIST_DIRECTORIES true CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/emit/*)
foreach(dir ${EMIT_DIRS})
  if(IS_DIRECTORY ${dir})
    get_filename_component(name ${dir} NAME)
    add_test(NAME emit/${name}
             COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/harness/golden ${dir} expected.c
                     $<TARGET_FILE:aslc> main.asl.json --emit-c --no-main @args -o /dev/stdout)
  endif()
endforeach()
