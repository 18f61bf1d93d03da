# faultline report in headless Chromium (tests/report/browser_test.py): a fault log with
# working-set samples from guest programs, `faultline report`, the page's console, DOM and
# a screenshot. Label `report`; skipped (exit 77) only when Chromium is not installed.
get_property(faultline_guest_dir GLOBAL PROPERTY FAULTLINE_GUEST_DIR)
add_test(NAME "report: browser"
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/browser_test.py $<TARGET_FILE:faultline> ${faultline_guest_dir})
set_tests_properties("report: browser" PROPERTIES LABELS report TIMEOUT 180 SKIP_RETURN_CODE 77)

# The command line: garbage lines (fault logs, access samples), a directory without logs,
# --html/--no-html.
foreach(case IN ITEMS garbage access-garbage no-logs html-options)
  add_test(NAME "report: ${case}"
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/report_cli_test.sh $<TARGET_FILE:faultline> ${faultline_guest_dir} ${case})
  set_tests_properties("report: ${case}" PROPERTIES LABELS report TIMEOUT 120)
endforeach()
