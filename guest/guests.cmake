# Guest test programs: every guest/diff/*.c and guest/diff-proc/*.c is built as a static
# x86-64 Linux executable in three variants, ${CMAKE_BINARY_DIR}/guest/<variant>/<name>:
#
#   musl       musl-gcc -static -O2
#   glibc      gcc -static -O2
#   glibc-pie  gcc -static-pie -O2 -fPIE
#
# These are guests, not part of faultline: they are built with add_custom_command so that
# none of the project's compilers, flags, sanitizers or toolchain settings apply to them.
# The custom target `guests` is part of ALL. tests/diff/tests.cmake reads the global
# properties FAULTLINE_GUEST_VARIANTS, FAULTLINE_GUEST_PROGRAMS (guest/diff),
# FAULTLINE_PROC_GUEST_PROGRAMS (guest/diff-proc) and FAULTLINE_GUEST_DIR.

find_program(FAULTLINE_MUSL_GCC musl-gcc)
if(NOT FAULTLINE_MUSL_GCC)
  message(FATAL_ERROR
    "musl-gcc not found. The guest test programs are built with it: apt-get install musl-tools")
endif()
find_program(FAULTLINE_GUEST_GCC gcc)
if(NOT FAULTLINE_GUEST_GCC)
  message(FATAL_ERROR
    "gcc not found. The glibc guest test programs are built with it: apt-get install gcc libc6-dev")
endif()

set(faultline_guest_dir ${CMAKE_BINARY_DIR}/guest)
set(faultline_guest_variants musl glibc glibc-pie)
set(faultline_guest_cc_musl ${FAULTLINE_MUSL_GCC} -static)
set(faultline_guest_cc_glibc ${FAULTLINE_GUEST_GCC} -static)
set(faultline_guest_cc_glibc-pie ${FAULTLINE_GUEST_GCC} -static-pie -fPIE)
set(faultline_guest_cflags -O2 -g -Wall)

# faultline_add_guests(DIR OUT_PROGRAMS [EXTRA_FLAGS...]): every DIR/*.c in every variant;
# appends the outputs to faultline_guest_outputs and sets OUT_PROGRAMS to the sorted names.
# A program's headers (e.g. guest/diff/common.h) are tracked through the -MD depfile.
function(faultline_add_guests dir out_programs)
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.c)
  list(SORT sources)
  set(programs)
  set(outputs ${faultline_guest_outputs})
  foreach(src IN LISTS sources)
    get_filename_component(name ${src} NAME_WE)
    list(APPEND programs ${name})
    foreach(variant IN LISTS faultline_guest_variants)
      set(out ${faultline_guest_dir}/${variant}/${name})
      file(MAKE_DIRECTORY ${faultline_guest_dir}/${variant})
      add_custom_command(
        OUTPUT ${out}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${faultline_guest_dir}/${variant}
        COMMAND ${faultline_guest_cc_${variant}} ${faultline_guest_cflags} ${ARGN}
                -MD -MF ${out}.d -o ${out} ${src} -lm
        DEPENDS ${src}
        DEPFILE ${out}.d
        COMMENT "Building guest ${variant}/${name}"
        VERBATIM)
      list(APPEND outputs ${out})
    endforeach()
  endforeach()
  set(faultline_guest_outputs ${outputs} PARENT_SCOPE)
  set(${out_programs} ${programs} PARENT_SCOPE)
endfunction()

set(faultline_guest_outputs)
faultline_add_guests(${CMAKE_CURRENT_LIST_DIR}/diff faultline_guest_programs)

# guest/diff-proc/*.c: the same, with -pthread, for processes, threads, pipes between
# processes and signals between them. They go into the same variant directories; a name
# must not clash with one in guest/diff. tests/diff/tests.cmake registers only those named
# in FAULTLINE_PROC_DIFF_ENABLED.
faultline_add_guests(${CMAKE_CURRENT_LIST_DIR}/diff-proc faultline_proc_guest_programs -pthread)
foreach(name IN LISTS faultline_proc_guest_programs)
  if(name IN_LIST faultline_guest_programs)
    message(FATAL_ERROR "guest/diff-proc/${name}.c and guest/diff/${name}.c share a name")
  endif()
endforeach()

# guest/cli/*.c: programs for faultline's own behaviour (tests/cli), not compared with
# native runs; built once, with musl, into ${CMAKE_BINARY_DIR}/guest/cli/<name>.
# guest/bench/*.c: the benchmark's workloads (tools/bench), the same way, into
# ${CMAKE_BINARY_DIR}/guest/bench/<name>: one static binary that runs natively, under
# qemu-x86_64 and under faultline.
foreach(kind IN ITEMS cli bench)
  file(GLOB faultline_${kind}_guest_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/${kind}/*.c)
  file(MAKE_DIRECTORY ${faultline_guest_dir}/${kind})
  foreach(src IN LISTS faultline_${kind}_guest_sources)
    get_filename_component(name ${src} NAME_WE)
    set(out ${faultline_guest_dir}/${kind}/${name})
    add_custom_command(
      OUTPUT ${out}
      COMMAND ${faultline_guest_cc_musl} ${faultline_guest_cflags} -MD -MF ${out}.d -o ${out} ${src}
      DEPENDS ${src}
      DEPFILE ${out}.d
      COMMENT "Building guest ${kind}/${name}"
      VERBATIM)
    list(APPEND faultline_guest_outputs ${out})
  endforeach()
endforeach()

add_custom_target(guests ALL DEPENDS ${faultline_guest_outputs})

set_property(GLOBAL PROPERTY FAULTLINE_GUEST_DIR ${faultline_guest_dir})
set_property(GLOBAL PROPERTY FAULTLINE_GUEST_VARIANTS ${faultline_guest_variants})
set_property(GLOBAL PROPERTY FAULTLINE_GUEST_PROGRAMS ${faultline_guest_programs})
set_property(GLOBAL PROPERTY FAULTLINE_PROC_GUEST_PROGRAMS ${faultline_proc_guest_programs})
