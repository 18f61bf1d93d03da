// The report page: page/report.html with the style, the script and the data put in.
#pragma once

#include <string>
#include <string_view>

namespace tools::report {

// `data_json` must not contain "</" (JsonWriter escapes '<').
std::string render_html_page(std::string_view title, std::string_view data_json);

}  // namespace tools::report
