# faultline's command-line behaviour (tests/cli/cli_tests.sh): exit statuses, diagnostics,
# malformed executables. Each case is one ctest test, `cli: <case>`.
set(faultline_cli_cases
  malformed-empty malformed-garbage malformed-truncated malformed-wrong-machine
  malformed-huge-phnum malformed-32bit malformed-core not-found directory not-executable
  enosys-reported-once signal-line exit-status help bad-ram missing-program ram-limit mm-fuzz
  code-rewritten exec-path-errors dynamic-true dynamic-bad-interpreter script-runs script-errors
  scheduler-deterministic preemption deadlock virtual-time max-procs
  fault-log fault-log-signal fault-log-reclaim sample-access stats timeout swap-integrity oom-killer
  pressure-swap pressure-oom pressure-deterministic pressure-usage limit-reclaim limit-oom limit-usage fork-out-of-frames
  root-escape root-dynamic read-only
  fork-bomb pipe-full fd-exhaustion)
# fd-exhaustion leaves faultline without a free descriptor, which the sanitizers' runtime
# needs for its own checks (UBSan's vptr check tests memory through a pipe): not in their build.
if(FAULTLINE_SANITIZE)
  list(REMOVE_ITEM faultline_cli_cases fd-exhaustion)
endif()
get_property(faultline_guest_dir GLOBAL PROPERTY FAULTLINE_GUEST_DIR)
foreach(case IN LISTS faultline_cli_cases)
  add_test(NAME "cli: ${case}"
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli_tests.sh $<TARGET_FILE:faultline> ${faultline_guest_dir} ${case})
  set_tests_properties("cli: ${case}" PROPERTIES LABELS cli TIMEOUT 120)
endforeach()

# --trace-syscalls (tests/cli/trace_tests.sh): `cli: trace <case>`.
set(faultline_trace_cases hello errno mmap-flags signals per-process busybox-pipeline to-file deterministic)
foreach(case IN LISTS faultline_trace_cases)
  add_test(NAME "cli: trace ${case}"
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/trace_tests.sh $<TARGET_FILE:faultline> ${faultline_guest_dir} ${case})
  set_tests_properties("cli: trace ${case}" PROPERTIES LABELS cli TIMEOUT 120)
endforeach()
