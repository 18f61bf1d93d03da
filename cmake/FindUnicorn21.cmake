# Finds Unicorn Engine >= 2.1 and defines the imported target Unicorn::Unicorn.
#
# FAULTLINE_UNICORN_PREFIX: a prefix holding include/unicorn/unicorn.h and
# lib/x86_64-linux-gnu/libunicorn.so.2 (what ./bootstrap.sh unpacks into .deps/unicorn/usr).
# Without it, the system Unicorn is used.

set(FAULTLINE_UNICORN_PREFIX "" CACHE PATH "Prefix of a Unicorn >= 2.1 installation")

if(FAULTLINE_UNICORN_PREFIX)
  find_path(UNICORN_INCLUDE_DIR unicorn/unicorn.h PATHS "${FAULTLINE_UNICORN_PREFIX}/include" NO_DEFAULT_PATH)
  find_library(UNICORN_LIBRARY NAMES unicorn libunicorn.so.2
    PATHS "${FAULTLINE_UNICORN_PREFIX}/lib/x86_64-linux-gnu" "${FAULTLINE_UNICORN_PREFIX}/lib" NO_DEFAULT_PATH)
else()
  find_path(UNICORN_INCLUDE_DIR unicorn/unicorn.h)
  find_library(UNICORN_LIBRARY NAMES unicorn)
endif()

set(_unicorn_fix "Run ./bootstrap.sh deps (it unpacks Debian 13's Unicorn 2.1.1 into .deps/unicorn) and configure with -DFAULTLINE_UNICORN_PREFIX=${CMAKE_SOURCE_DIR}/.deps/unicorn/usr")

if(NOT UNICORN_INCLUDE_DIR OR NOT UNICORN_LIBRARY)
  message(FATAL_ERROR "Unicorn Engine >= 2.1 not found. ${_unicorn_fix}")
endif()

file(STRINGS "${UNICORN_INCLUDE_DIR}/unicorn/unicorn.h" _uc_major REGEX "#define UC_API_MAJOR")
file(STRINGS "${UNICORN_INCLUDE_DIR}/unicorn/unicorn.h" _uc_minor REGEX "#define UC_API_MINOR")
file(STRINGS "${UNICORN_INCLUDE_DIR}/unicorn/unicorn.h" _uc_patch REGEX "#define UC_API_PATCH")
string(REGEX MATCH "[0-9]+" UNICORN_VERSION_MAJOR "${_uc_major}")
string(REGEX MATCH "[0-9]+" UNICORN_VERSION_MINOR "${_uc_minor}")
string(REGEX MATCH "[0-9]+" UNICORN_VERSION_PATCH "${_uc_patch}")
set(UNICORN_VERSION "${UNICORN_VERSION_MAJOR}.${UNICORN_VERSION_MINOR}.${UNICORN_VERSION_PATCH}")

if(UNICORN_VERSION VERSION_LESS 2.1)
  message(FATAL_ERROR
    "Unicorn ${UNICORN_VERSION} at ${UNICORN_INCLUDE_DIR} is too old: faultline needs >= 2.1 "
    "(2.0.x hard-wires virtual == physical addresses and has no TLB-fill hook). ${_unicorn_fix}")
endif()
message(STATUS "Unicorn ${UNICORN_VERSION}: ${UNICORN_LIBRARY}")

add_library(Unicorn::Unicorn UNKNOWN IMPORTED)
set_target_properties(Unicorn::Unicorn PROPERTIES
  IMPORTED_LOCATION "${UNICORN_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${UNICORN_INCLUDE_DIR}")
get_filename_component(UNICORN_LIBRARY_DIR "${UNICORN_LIBRARY}" DIRECTORY)
