# std::expected with clang and GCC 12's libstdc++ (Debian 12).
#
# libstdc++ 12 declares std::expected only when __cpp_concepts >= 202002L, its test for
# P0848 (conditionally trivial special member functions, which <expected> relies on). Clang
# implements P0848 since version 16 but announces __cpp_concepts 202002L only from version 19,
# so with clang 16..18 <expected> is empty. When that is so and the compiler does implement
# P0848 (checked below: std::expected<int, int> must be trivially copyable and destructible,
# std::expected<std::string, int> not), faultline is compiled with __cpp_concepts redefined
# to 202002L. The check fails with clang 15 and older, which cannot compile faultline.
include(CheckCXXSourceCompiles)

set(_expected_probe [=[
#include <expected>
#include <string>
#include <type_traits>
static_assert(std::is_trivially_destructible_v<std::expected<int, int>>);
static_assert(std::is_trivially_copy_constructible_v<std::expected<int, int>>);
static_assert(!std::is_trivially_destructible_v<std::expected<std::string, int>>);
static_assert(!std::is_trivially_copy_constructible_v<std::expected<std::string, int>>);
int main() {
    std::expected<std::string, int> e = std::string(100, 'x');
    std::expected<std::string, int> f = e;
    f = std::unexpected(3);
    return f.error() == 3 && e->size() == 100 ? 0 : 1;
}
]=])

check_cxx_source_compiles("${_expected_probe}" FAULTLINE_STD_EXPECTED_WORKS)
if(NOT FAULTLINE_STD_EXPECTED_WORKS)
  set(CMAKE_REQUIRED_FLAGS "-U__cpp_concepts -D__cpp_concepts=202002L")
  check_cxx_source_compiles("${_expected_probe}" FAULTLINE_STD_EXPECTED_WITH_CONCEPTS_2020)
  if(NOT FAULTLINE_STD_EXPECTED_WITH_CONCEPTS_2020)
    message(FATAL_ERROR "${CMAKE_CXX_COMPILER} cannot use std::expected from this C++ library "
                        "(clang 16 or newer is needed with GCC 12's libstdc++)")
  endif()
  message(STATUS "std::expected: compiling with __cpp_concepts=202002L (clang implements P0848)")
  add_compile_options(-U__cpp_concepts -D__cpp_concepts=202002L)
endif()
unset(CMAKE_REQUIRED_FLAGS)
