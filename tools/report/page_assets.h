// The page's files (tools/report/page/), compiled in by page/embed_assets.cmake.
#pragma once

#include <string_view>

namespace tools::report {

std::string_view page_template();  // report.html, with @FAULTLINE_…@ placeholders
std::string_view page_style();     // report.css
std::string_view page_script();    // common.js … main.js, joined (CMakeLists.txt lists them)

}  // namespace tools::report
