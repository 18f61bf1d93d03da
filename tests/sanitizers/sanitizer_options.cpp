// Linked into every executable of a sanitizer build (FAULTLINE_SANITIZE, FAULTLINE_FUZZ):
// the sanitizers' default options, so that a test, or faultline run by hand from
// build-asan, behaves the same without any environment. ASAN_OPTIONS, LSAN_OPTIONS and
// UBSAN_OPTIONS still override them.
//
// LeakSanitizer reads its suppressions from tests/sanitizers/lsan.supp (see there).
extern "C" {

const char* __asan_default_options() { return "detect_leaks=1:abort_on_error=0"; }

const char* __lsan_default_options() { return "suppressions=" FAULTLINE_LSAN_SUPPRESSIONS ":print_suppressions=0"; }

const char* __ubsan_default_options() { return "print_stacktrace=1:halt_on_error=1"; }

}
