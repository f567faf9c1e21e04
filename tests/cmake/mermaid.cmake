# The Mermaid goldens of tests/graph, drawn by Mermaid in headless Chromium
# (tests/harness/mermaid_check).
add_test(NAME graph/mermaid-renders
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/harness/mermaid_check ${CMAKE_CURRENT_SOURCE_DIR}/graph ${WORK}/mermaid)
set_tests_properties(graph/mermaid-renders PROPERTIES TIMEOUT 600 SKIP_RETURN_CODE 77)
