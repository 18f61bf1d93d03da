# Fuzz targets: every tests/fuzz/<target>_fuzz.cpp defines LLVMFuzzerTestOneInput.
#
#   fuzz_<target>_replay  (every build) runs the target once on each input of its committed
#                         corpus, tests/fuzz/corpus/<target>/: the ctest test
#                         `fuzz corpus: <target>`, so every input that ever crashed stays a
#                         regression test, with or without sanitizers.
#   fuzz_<target>         (FAULTLINE_FUZZ, clang) the libFuzzer executable; the custom target
#                         `fuzz` builds them all. tools/fuzz/run.sh runs them.
set(faultline_fuzz_dir ${CMAKE_CURRENT_LIST_DIR})
set(faultline_fuzz_targets elf_exec syscall_trace syscall_args)
if(FAULTLINE_FUZZ)
  add_custom_target(fuzz)
endif()
get_property(faultline_fuzz_guest_dir GLOBAL PROPERTY FAULTLINE_GUEST_DIR)
foreach(target IN LISTS faultline_fuzz_targets)
  add_executable(fuzz_${target}_replay ${faultline_fuzz_dir}/${target}_fuzz.cpp ${faultline_fuzz_dir}/replay_main.cpp)
  target_link_libraries(fuzz_${target}_replay PRIVATE faultline_syscalls faultline_warnings)
  faultline_executable(fuzz_${target}_replay)
  set(inputs ${faultline_fuzz_dir}/corpus/${target})
  if(target STREQUAL "elf_exec" AND faultline_fuzz_guest_dir)
    # The static guest programs the build makes are real ELF files too.
    list(APPEND inputs ${faultline_fuzz_guest_dir}/musl ${faultline_fuzz_guest_dir}/glibc-pie)
  endif()
  add_test(NAME "fuzz corpus: ${target}" COMMAND fuzz_${target}_replay ${inputs})
  set_tests_properties("fuzz corpus: ${target}" PROPERTIES LABELS fuzz TIMEOUT 300)
  if(FAULTLINE_FUZZ)
    add_executable(fuzz_${target} ${faultline_fuzz_dir}/${target}_fuzz.cpp)
    target_link_libraries(fuzz_${target} PRIVATE faultline_syscalls faultline_warnings)
    target_link_options(fuzz_${target} PRIVATE -fsanitize=fuzzer)
    faultline_executable(fuzz_${target})
    add_dependencies(fuzz fuzz_${target})
  endif()
endforeach()
