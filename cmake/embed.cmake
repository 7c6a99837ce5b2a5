# csgw_embed_files(<target> FUNCTION <namespace::Function> FILES <files...>)
#
# Compiles text data files (word lists, rules, the default template catalogue) into <target> as
# one function returning std::span<const csgw::EmbeddedFile>, names relative to the current source
# dir. Domain libraries stay free of file I/O and the binary needs no data directory; the files
# stay plain text that translators and reviewers edit. Editing a file regenerates the source.
function(csgw_embed_files target)
  cmake_parse_arguments(E "" "FUNCTION" "FILES" ${ARGN})
  string(REPLACE "::" ";" parts "${E_FUNCTION}")
  list(POP_BACK parts function)
  string(REPLACE ";" "::" namespace "${parts}")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${function}_embedded.cc")
  set(abs_files "")
  foreach(f IN LISTS E_FILES)
    list(APPEND abs_files "${CMAKE_CURRENT_SOURCE_DIR}/${f}")
  endforeach()
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${namespace} -DFUNCTION=${function}
            -DBASE=${CMAKE_CURRENT_SOURCE_DIR} "-DFILES=${abs_files}"
            -P "${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake"
    DEPENDS ${abs_files} "${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake"
    COMMENT "Embedding data files into ${function}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
