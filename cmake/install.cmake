# Installing aslc. `cmake --install BUILD [--prefix DIR]` puts aslc in
# bin/, and the runtime an AOT build links (libaslrt.a and the public
# headers asl.h, asl_gen.h, asl_engine.h) in lib/aslc/ and include/aslc/,
# where aslc looks for them next to its own bin/ (compiler/build.c); the
# man page in share/man/man1, the docs and examples in share/doc/aslc.
# `cpack -G DEB` (in BUILD) makes a Debian package of the same tree,
# prefix /usr, that `apt-get install ./aslc_*.deb` installs with what it
# needs (the C compiler and cJSON's headers for AOT builds).
install(TARGETS aslc RUNTIME DESTINATION bin)
install(TARGETS aslrt ARCHIVE DESTINATION lib/aslc)
install(FILES ${CMAKE_SOURCE_DIR}/runtime/include/asl.h ${CMAKE_SOURCE_DIR}/runtime/include/asl_gen.h
              ${CMAKE_SOURCE_DIR}/runtime/include/asl_engine.h DESTINATION include/aslc)
install(FILES ${CMAKE_SOURCE_DIR}/docs/aslc.1 DESTINATION share/man/man1)
file(GLOB ASLC_DOCS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${ASLC_DOCS} DESTINATION share/doc/aslc)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/examples/workflow-within-a-workflow ${CMAKE_SOURCE_DIR}/examples/sam-order
        DESTINATION share/doc/aslc/examples)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME aslc)
set(CPACK_PACKAGE_VERSION 0.1.0)
set(CPACK_PACKAGE_CONTACT "aslc maintainers <maintainers@aslc.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Amazon States Language (AWS Step Functions) to C compiler and local engine")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# Shared libraries aslc itself links are found by dpkg-shlibdeps; an AOT
# build also needs cc, cJSON's and zlib's headers and libraries, and the
# JIT (libtcc, linked statically, so dpkg-shlibdeps cannot see it) needs
# tcc's own headers and libtcc1.a, which the tcc package holds
# (packaging/check-fresh-install found it missing on a fresh machine).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "gcc, libc6-dev, libcjson-dev, zlib1g-dev, tcc")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3")
# a build with --s3-client links libcurl and libxml2 as well
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nodejs, graphviz, libcurl4-openssl-dev, libxml2-dev")
include(CPack)
