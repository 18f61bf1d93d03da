# Differential tests: each program runs natively and under faultline (tests/diff/run_diff.sh);
# stdout and exit status must match.
#
#   diff: <variant>/<name>   every guest/diff program from guest/guests.cmake, in every
#                            variant; guest/diff-proc programs only once enabled (below)
#   diff: busybox/<applet>   a few applets of the host's static busybox
#   diff: dynamic/<name>     dynamically linked programs of the host (ld.so, libc)
#   diff: script/<name>      "#!" scripts run by a static guest program
#   diff: real/<name>        shells running scripts, dynamically linked tools; only once
#                            enabled in FAULTLINE_REAL_DIFF_ENABLED (below)
#
# All carry the label `diff` (ctest -L diff) and a 120 s timeout (each side has 60 s).

set(FAULTLINE_RUN_DIFF ${CMAKE_CURRENT_LIST_DIR}/run_diff.sh)
set(FAULTLINE_DIFF_DATA ${CMAKE_CURRENT_LIST_DIR}/data)

# faultline_add_diff_test(TEST_NAME STDIN_FILE PROGRAM [ARGS...])
# STDIN_FILE may be "" for /dev/null. ARGS may contain empty strings; they are passed on as
# empty arguments (an unquoted list expansion would drop them, hence the bracket-quoted EVAL).
function(faultline_add_diff_test test_name stdin_file program)
  set(cmd "add_test(NAME [==[${test_name}]==] COMMAND bash [==[${FAULTLINE_RUN_DIFF}]==]")
  string(APPEND cmd " [==[$<TARGET_FILE:faultline>]==] [==[${program}]==]")
  foreach(arg IN LISTS ARGN)
    string(APPEND cmd " [==[${arg}]==]")
  endforeach()
  string(APPEND cmd ")")
  cmake_language(EVAL CODE "${cmd}")

  set_tests_properties("${test_name}" PROPERTIES
    LABELS diff
    TIMEOUT 120
    REQUIRED_FILES "${program}")
  if(stdin_file)
    set_tests_properties("${test_name}" PROPERTIES ENVIRONMENT "DIFF_STDIN=${stdin_file}")
  endif()
endfunction()

# Per-program arguments and stdin.
set(faultline_diff_args_hello_world tester)
set(faultline_diff_args_args_env_auxv alpha "beta gamma" "" --delta)
set(faultline_diff_stdin_write_edge ${FAULTLINE_DIFF_DATA}/stdin.txt)

get_property(faultline_guest_dir GLOBAL PROPERTY FAULTLINE_GUEST_DIR)
get_property(faultline_guest_variants GLOBAL PROPERTY FAULTLINE_GUEST_VARIANTS)
get_property(faultline_guest_programs GLOBAL PROPERTY FAULTLINE_GUEST_PROGRAMS)
if(NOT faultline_guest_dir)
  message(STATUS "diff tests: no guest programs defined (guest/guests.cmake missing); skipping them")
endif()
foreach(variant IN LISTS faultline_guest_variants)
  foreach(name IN LISTS faultline_guest_programs)
    faultline_add_diff_test("diff: ${variant}/${name}"
      "${faultline_diff_stdin_${name}}"
      ${faultline_guest_dir}/${variant}/${name}
      "${faultline_diff_args_${name}}")  # quoted: keeps empty arguments
  endforeach()
endforeach()

# faultline_opt_in(OUT KIND ENABLED TRY KNOWN ALL): the names to register for an opt-in group,
# ENABLED plus TRY (a list, or "all" for every name in ALL), each checked against KNOWN.
function(faultline_opt_in out kind enabled try known all)
  set(names ${enabled})
  if(try STREQUAL "all")
    list(APPEND names ${all})
  else()
    list(APPEND names ${try})
  endif()
  list(REMOVE_DUPLICATES names)
  foreach(name IN LISTS names)
    if(NOT name IN_LIST known)
      message(FATAL_ERROR "diff tests: ${name} (an enabled or tried ${kind} test) is not one")
    endif()
  endforeach()
  set(${out} ${names} PARENT_SCOPE)
endfunction()

# Process tests, guest/diff-proc/*.c: fork, exec, wait, pipes and signals between
# processes, threads, futexes, process groups, poll and sleeping. They are always built
# (into the same guest/<variant>/ directories) but registered as diff tests, in all three
# variants, only when named here: add a name once faultline runs that program. Names not
# listed can be tried without editing this file: cmake -DFAULTLINE_PROC_DIFF_TRY="proc_exec;proc_pipes"
# (or =all), then ctest -L diff-proc.
set(FAULTLINE_PROC_DIFF_ENABLED
  proc_exec
  proc_fork_cow
  proc_fork_many
  proc_futex
  proc_nanosleep_time
  proc_pgrp_session
  proc_pipes
  proc_poll_select
  proc_signals
  proc_threads
  proc_vfork
  proc_wait_status
)
set(FAULTLINE_PROC_DIFF_TRY "" CACHE STRING
    "guest/diff-proc programs to register as diff tests besides FAULTLINE_PROC_DIFF_ENABLED (a list, or all)")

get_property(faultline_proc_guest_programs GLOBAL PROPERTY FAULTLINE_PROC_GUEST_PROGRAMS)
faultline_opt_in(faultline_proc_registered guest/diff-proc "${FAULTLINE_PROC_DIFF_ENABLED}"
  "${FAULTLINE_PROC_DIFF_TRY}" "${faultline_proc_guest_programs}" "${faultline_proc_guest_programs}")
foreach(name IN LISTS faultline_proc_registered)
  foreach(variant IN LISTS faultline_guest_variants)
    faultline_add_diff_test("diff: ${variant}/${name}"
      "${faultline_diff_stdin_${name}}"
      ${faultline_guest_dir}/${variant}/${name}
      "${faultline_diff_args_${name}}")
    set_property(TEST "diff: ${variant}/${name}" APPEND PROPERTY LABELS diff-proc)
  endforeach()
endforeach()

# Real-world static binaries nobody here wrote.
find_program(FAULTLINE_BUSYBOX busybox)
set(faultline_busybox_usable FALSE)
if(NOT FAULTLINE_BUSYBOX)
  message(STATUS "diff tests: busybox not found, busybox tests not registered (apt-get install busybox-static)")
else()
  set(faultline_busybox_usable TRUE)
  find_program(FAULTLINE_FILE_TOOL file)
  if(FAULTLINE_FILE_TOOL)
    execute_process(COMMAND ${FAULTLINE_FILE_TOOL} -L ${FAULTLINE_BUSYBOX}
                    OUTPUT_VARIABLE faultline_busybox_kind ERROR_QUIET)
    if(faultline_busybox_kind MATCHES "dynamically linked")
      message(STATUS "diff tests: ${FAULTLINE_BUSYBOX} is dynamically linked, busybox tests not "
                     "registered (apt-get install busybox-static)")
      set(faultline_busybox_usable FALSE)
    endif()
  endif()
endif()
if(faultline_busybox_usable)
  set(stdin_txt ${FAULTLINE_DIFF_DATA}/stdin.txt)
  faultline_add_diff_test("diff: busybox/echo" "" ${FAULTLINE_BUSYBOX} echo hello world)
  faultline_add_diff_test("diff: busybox/true" "" ${FAULTLINE_BUSYBOX} true)
  faultline_add_diff_test("diff: busybox/false" "" ${FAULTLINE_BUSYBOX} false)
  faultline_add_diff_test("diff: busybox/seq" "" ${FAULTLINE_BUSYBOX} seq 1 1000)
  faultline_add_diff_test("diff: busybox/wc" ${stdin_txt} ${FAULTLINE_BUSYBOX} wc)
  faultline_add_diff_test("diff: busybox/sha256sum" ${stdin_txt} ${FAULTLINE_BUSYBOX} sha256sum)
endif()

# Dynamically linked programs of the host: faultline loads the program and ld.so, which
# loads libc through faultline's own syscalls. `ls -l /` leaves out /proc (its link count
# is the number of processes) and /tmp (tests running in parallel create directories there).
set(faultline_dynamic_programs /bin/true /bin/echo /bin/ls /usr/bin/sort /bin/gzip)
set(faultline_dynamic_usable TRUE)
foreach(program IN LISTS faultline_dynamic_programs)
  if(NOT EXISTS ${program})
    set(faultline_dynamic_usable FALSE)
  endif()
endforeach()
if(NOT EXISTS /lib64/ld-linux-x86-64.so.2)
  set(faultline_dynamic_usable FALSE)
endif()
if(NOT faultline_dynamic_usable)
  message(STATUS "diff tests: the host's dynamic ${faultline_dynamic_programs} or its ld.so are missing; "
                 "dynamic tests not registered")
else()
  set(sort_txt ${FAULTLINE_DIFF_DATA}/sort.txt)
  faultline_add_diff_test("diff: dynamic/true" "" /bin/true)
  faultline_add_diff_test("diff: dynamic/echo" "" /bin/echo hello "dynamic world")
  faultline_add_diff_test("diff: dynamic/ls-l" "" /bin/ls -l -I proc -I tmp /)
  faultline_add_diff_test("diff: dynamic/sort" "" /usr/bin/sort ${sort_txt})
  faultline_add_diff_test("diff: dynamic/sort-numeric" "" /usr/bin/sort -t, -k2,2n -k1,1r ${sort_txt})
  faultline_add_diff_test("diff: dynamic/sort-stdin" ${sort_txt} /usr/bin/sort -u)
  add_test(NAME "diff: dynamic/gzip-roundtrip"
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/gzip_roundtrip.sh $<TARGET_FILE:faultline> ${sort_txt})
  set_tests_properties("diff: dynamic/gzip-roundtrip" PROPERTIES LABELS diff TIMEOUT 120)
endif()

# "#!" scripts whose interpreter is a static guest program that prints its argv and auxv;
# one of them is the interpreter of the other. Generated with the guest directory's path.
if(faultline_guest_dir)
  set(FAULTLINE_GUEST_DIR ${faultline_guest_dir})
  set(FAULTLINE_DIFF_SCRIPT_DIR ${CMAKE_CURRENT_BINARY_DIR}/diff_scripts)
  foreach(script print_args.sh nested_script)
    set(in ${FAULTLINE_DIFF_DATA}/${script})
    if(EXISTS ${in}.in)
      set(in ${in}.in)
    endif()
    configure_file(${in} ${FAULTLINE_DIFF_SCRIPT_DIR}/${script} @ONLY
                   FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                    WORLD_READ WORLD_EXECUTE)
  endforeach()
  faultline_add_diff_test("diff: script/print_args" "" ${FAULTLINE_DIFF_SCRIPT_DIR}/print_args.sh one "two three" "")
  faultline_add_diff_test("diff: script/nested" "" ${FAULTLINE_DIFF_SCRIPT_DIR}/nested_script alpha)
endif()
# Real programs running scripts and pipelines (tests/diff/data): busybox sh and bash-static
# fork, exec, wait and pipe, and run dynamically linked coreutils/gzip; plus dynamically
# linked ls and sort on their own. Registered as "diff: real/<name>" (labels diff and
# diff-real) only when named in FAULTLINE_REAL_DIFF_ENABLED, or locally with
# -DFAULTLINE_REAL_DIFF_TRY="<names>" (or =all).
set(FAULTLINE_REAL_DIFF_ENABLED
  bash-static-script
  busybox-sh-heredoc-jobs
  busybox-sh-pipelines
  busybox-sh-redirections
  busybox-sh-subshells
  gzip-roundtrip
  ls-l-root
  sort
  sort-keys
)
set(FAULTLINE_REAL_DIFF_TRY "" CACHE STRING
    "real-program diff tests to register besides FAULTLINE_REAL_DIFF_ENABLED (a list, or all)")

set(faultline_real_known)      # every name below, available here or not
set(faultline_real_available)  # those whose programs this machine has
# faultline_real_diff_test(NAME AVAILABLE STDIN_FILE PROGRAM [ARGS...]): AVAILABLE names a
# variable that is true when PROGRAM and whatever it runs are on this machine.
function(faultline_real_diff_test name available stdin_file program)
  set(faultline_real_known ${faultline_real_known} ${name} PARENT_SCOPE)
  if(${available})
    set(faultline_real_available ${faultline_real_available} ${name} PARENT_SCOPE)
    set(faultline_real_stdin_${name} "${stdin_file}" PARENT_SCOPE)
    set(faultline_real_cmd_${name} "${program}" ${ARGN} PARENT_SCOPE)
  endif()
endfunction()

find_program(FAULTLINE_BASH_STATIC bash-static)
find_program(FAULTLINE_LS ls)
find_program(FAULTLINE_SORT sort)
find_program(FAULTLINE_GZIP gzip)
find_program(FAULTLINE_GUNZIP gunzip)
set(faultline_have_bash_static FALSE)
if(FAULTLINE_BASH_STATIC)
  set(faultline_have_bash_static TRUE)
endif()
set(faultline_have_gzip FALSE)
if(faultline_have_bash_static AND FAULTLINE_GZIP AND FAULTLINE_GUNZIP)
  set(faultline_have_gzip TRUE)
endif()
set(faultline_have_ls FALSE)
if(FAULTLINE_LS)
  set(faultline_have_ls TRUE)
endif()
set(faultline_have_sort FALSE)
if(FAULTLINE_SORT)
  set(faultline_have_sort TRUE)
endif()

foreach(script sh_pipelines sh_subshells sh_heredoc_jobs sh_redirections)
  string(REPLACE "sh_" "busybox-sh-" name ${script})
  string(REPLACE "_" "-" name ${name})
  faultline_real_diff_test(${name} faultline_busybox_usable ""
    ${FAULTLINE_BUSYBOX} sh ${FAULTLINE_DIFF_DATA}/${script}.sh)
endforeach()
faultline_real_diff_test(bash-static-script faultline_have_bash_static ""
  ${FAULTLINE_BASH_STATIC} ${FAULTLINE_DIFF_DATA}/bash_script.sh)
faultline_real_diff_test(gzip-roundtrip faultline_have_gzip ""
  ${FAULTLINE_BASH_STATIC} ${FAULTLINE_DIFF_DATA}/gzip_roundtrip.sh ${FAULTLINE_DIFF_DATA}/sort_input.txt)
# Not plain `ls -l /`: the link count of /proc is the number of processes (it changes
# between the native and the faultline run, and faultline's /proc is its own), and /tmp,
# /dev, /run and /sys change or are emulated.
faultline_real_diff_test(ls-l-root faultline_have_ls ""
  ${FAULTLINE_LS} -l --ignore=proc --ignore=tmp --ignore=dev --ignore=run --ignore=sys /)
faultline_real_diff_test(sort faultline_have_sort ""
  ${FAULTLINE_SORT} ${FAULTLINE_DIFF_DATA}/sort_input.txt)
faultline_real_diff_test(sort-keys faultline_have_sort ${FAULTLINE_DIFF_DATA}/sort_input.txt
  ${FAULTLINE_SORT} -t " " -k2,2n -k1,1 -s)

faultline_opt_in(faultline_real_registered real-program "${FAULTLINE_REAL_DIFF_ENABLED}"
  "${FAULTLINE_REAL_DIFF_TRY}" "${faultline_real_known}" "${faultline_real_available}")
foreach(name IN LISTS faultline_real_registered)
  if(NOT name IN_LIST faultline_real_available)
    message(STATUS "diff tests: real/${name} is enabled but its program is missing here "
                   "(busybox-static, bash-static, coreutils, gzip); not registered")
    continue()
  endif()
  faultline_add_diff_test("diff: real/${name}" "${faultline_real_stdin_${name}}" ${faultline_real_cmd_${name}})
  set_property(TEST "diff: real/${name}" APPEND PROPERTY LABELS diff-real)
endforeach()
