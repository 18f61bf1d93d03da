# Writes OUT, a C++ file holding the page's template, style sheet and script
# (report.html, report.css, report.js in DIR) as raw string literals, so that
# `faultline report` is one self-contained binary. Run by tools/report/CMakeLists.txt.
set(delimiter "faultline_page")
set(body "// Generated from tools/report/page/ by embed_assets.cmake: edit those files instead.\n")
string(APPEND body "#include \"tools/report/page_assets.h\"\n\nnamespace tools::report {\n")
foreach(pair "page_template;report.html" "page_style;report.css" "page_script;report.js")
  list(GET pair 0 function)
  list(GET pair 1 file)
  file(READ "${DIR}/${file}" content)
  string(FIND "${content}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw-string delimiter )${delimiter}\"")
  endif()
  string(APPEND body "\nstd::string_view ${function}() {\n    return R\"${delimiter}(${content})${delimiter}\";\n}\n")
endforeach()
string(APPEND body "\n}  // namespace tools::report\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
