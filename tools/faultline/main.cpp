// faultline: run unmodified x86-64 Linux programs on an emulated CPU whose memory is
// managed by faultline's own kernel personality.
#include <spdlog/sinks/stdout_sinks.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <expected>
#include <filesystem>
#include <string>
#include <vector>

#include "os/kernel.h"
#include "os/trace/syscall_tracer.h"
#include "syscalls/dispatcher.h"
#include "tools/faultline/duration.h"
#include "tools/faultline/limit_spec.h"
#include "tools/faultline/pressure_spec.h"
#include "tools/faultline/report_command.h"
#include "tools/faultline/size.h"

extern char** environ;

namespace {

constexpr std::uint64_t kMinRam = 1ull << 20;
constexpr std::uint64_t kMaxRam = 64ull << 30;

// Like a shell: a name without '/' is looked up in $PATH (inside the root with --root).
std::string resolve_program(const std::string& name, const os::fs::Root& root) {
    if (name.find('/') != std::string::npos)
        return name;
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        std::size_t end = dirs.find(':', start);
        if (end == std::string::npos)
            end = dirs.size();
        std::string dir = dirs.substr(start, end - start);
        std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
        if (auto found = root.lookup(AT_FDCWD, candidate, true)) {
            struct stat st {};
            if (::fstat(found->get(), &st) == 0 && S_ISREG(st.st_mode) &&
                ::faccessat(found->get(), "", X_OK, AT_EMPTY_PATH | AT_EACCESS) == 0)
                return candidate;
        }
        start = end + 1;
    }
    return name;
}

// --pressure SPEC: "@FILE" becomes FILE's contents, and the steps must parse.
CLI::Validator pressure_validator() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            auto text = tools::expand_at_file(value);
            if (!text)
                return text.error();
            if (auto steps = tools::parse_pressure_spec(*text); !steps)
                return steps.error();
            value = *text;
            return {};
        },
        "SPEC");
}

CLI::Validator limit_validator() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            auto rule = tools::parse_limit_spec(value);
            return rule ? std::string() : rule.error();
        },
        "WHO:SIZE");
}

// The parsed --pressure steps, checked against --ram; an error names the step.
std::expected<std::vector<os::mm::PressureStep>, std::string> pressure_steps(const std::vector<std::string>& specs,
                                                                            std::uint64_t ram) {
    std::vector<os::mm::PressureStep> all;
    for (const std::string& spec : specs) {
        auto steps = tools::parse_pressure_spec(spec);
        if (!steps)
            return std::unexpected(steps.error());
        for (os::mm::PressureStep& step : *steps) {
            if (step.action == os::mm::PressureAction::SetRam && step.frames * 4096 > ram)
                return std::unexpected("step '" + step.text + "': more RAM than --ram (the most there is)");
            all.push_back(std::move(step));
        }
    }
    return all;
}

std::expected<std::vector<os::mm::MemcgRule>, std::string> limit_rules(const std::vector<std::string>& specs) {
    std::vector<os::mm::MemcgRule> rules;
    for (const std::string& spec : specs) {
        auto rule = tools::parse_limit_spec(spec);
        if (!rule)
            return std::unexpected(rule.error());
        for (const os::mm::MemcgRule& r : rules)
            if (r.pid == rule->pid && r.name == rule->name)
                return std::unexpected("'" + spec + "': a second limit for the same " +
                                       (r.pid ? "pid" : "program") + " (the first: '" + r.text + "')");
        rules.push_back(std::move(*rule));
    }
    return rules;
}

void setup_logging(int verbosity) {
    auto logger = spdlog::stderr_logger_st("faultline");
    logger->set_pattern("faultline: %v");
    logger->set_level(verbosity >= 2 ? spdlog::level::debug : verbosity == 1 ? spdlog::level::info : spdlog::level::warn);
    spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"faultline: run x86-64 Linux programs on an emulated CPU with faultline's own memory manager"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("faultline ") + FAULTLINE_VERSION);

    CLI::App* run = app.add_subcommand("run", "Run PROGRAM with ARGS under faultline");
    std::string ram_text = "512M";
    std::uint64_t seed = 0;
    int verbosity = 0;
    int max_procs = 256;
    bool real_time = false;
    std::string fault_log_dir;
    bool stats = false;
    std::string sample_access_text;
    std::string timeout_text;
    std::string swap_text;
    std::string swap_file;
    std::string policy;
    std::string trace_syscalls;
    std::string root_dir;
    bool read_only = false;
    std::vector<std::string> pressure_specs;
    std::vector<std::string> limit_specs;
    std::vector<std::string> command;
    run->add_option("--ram", ram_text,
                    "Physical memory of the emulated machine (e.g. 64M, 1G); the guest's frames, page tables "
                    "and page cache all come from it")
        ->capture_default_str();
    run->add_option("--seed", seed, "Seed of the random bytes the guest gets (AT_RANDOM, getrandom)")
        ->capture_default_str();
    run->add_option("--max-procs", max_procs,
                    "Most tasks (processes and threads) alive at once; fork and clone beyond it fail with EAGAIN, "
                    "as with RLIMIT_NPROC")
        ->capture_default_str()
        ->check(CLI::Range(1, 1 << 22));
    run->add_flag("--real-time", real_time,
                  "Clocks follow the host and sleeps take real time (default: a virtual clock, so runs are "
                  "reproducible and sleeping costs nothing)");
    run->add_option("--fault-log", fault_log_dir,
                    "Write every page fault of process PID to DIR/PID.faults.jsonl (created if missing)");
    run->add_option("--sample-access", sample_access_text,
                    "Every PERIOD of virtual time (e.g. 10ms, 500us, 1s), record which pages each process "
                    "touched (Accessed bits, then cleared) into DIR/PID.access.jsonl; needs --fault-log DIR");
    run->add_option("--swap", swap_text,
                    "Swap space (e.g. 256M): when frames run low, anonymous pages go to a swap file and clean "
                    "file pages are dropped");
    run->add_option("--swap-file", swap_file, "The swap file (default: a temporary file, removed at once)");
    run->add_option("--policy", policy, "Page replacement: clock (second chance, default), fifo, random, lru")
        ->check(CLI::IsMember({"clock", "fifo", "random", "lru"}));
    run->add_option("--pressure", pressure_specs,
                    "Change the RAM while the program runs, e.g. 'at 50ms ram 8M; at 200ms ram 64M' or "
                    "'every 10ms steal 16 until 100ms' or 'after 5000 faults ram 16M' (virtual time; the grammar "
                    "is in the README); @FILE reads the steps from FILE. May be given several times")
        ->transform(pressure_validator())
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    run->add_option("--limit", limit_specs,
                    "A memory cgroup: PID:SIZE for that process and its descendants together, NAME:SIZE for each "
                    "process running program NAME on its own; SIZE is memory.max, or max=SIZE,high=SIZE. Over "
                    "it, the group reclaims its own pages; if it cannot, the OOM killer ends one of them. May be "
                    "given several times")
        ->check(limit_validator())
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    run->add_option("--root", root_dir,
                    "The guest's file system is DIR: every path it names (absolute, relative, through '..', "
                    "symlinks or /proc links) resolves inside DIR, and PROGRAM is looked up there. Without it the "
                    "guest sees the host's files with your permissions");
    run->add_flag("--read-only", read_only,
                  "No write reaches the host's files: opening for writing, creating, removing, renaming and "
                  "changing attributes fail with EROFS (devices and FIFOs stay writable)");
    run->add_option("--timeout", timeout_text,
                    "End the run after this much real (host) time, e.g. 30s or 500ms: every process is killed, "
                    "with a message, and faultline exits 124");
    run->add_flag("--stats", stats, "At the end, print a table of faults, peak memory and syscalls per process");
    run->add_flag("--trace-syscalls{-}", trace_syscalls,
                  "Write every syscall, signal and exit like strace -f: to stderr, or with =FILE to FILE, or "
                  "with =DIR/ (or an existing directory) to DIR/<pid>.trace for each process");
    run->add_flag("-v,--verbose", verbosity, "More messages on stderr (-vv for debugging)");
    run->add_option("command", command, "PROGRAM [ARGS...] (use -- before it when ARGS start with '-')")
        ->required();
    run->prefix_command(false);
    run->positionals_at_end(true);
    run->footer(
        "Exit status: the program's, or 128+N when signal N killed it; 126 when it cannot be executed, "
        "127 when it is not found, 125 for a usage or internal error.");

    const tools::ReportCommand report(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 125;
    }
    if (report.chosen())
        return report.run();
    setup_logging(verbosity);

    auto ram = tools::parse_size(ram_text);
    if (!ram || *ram < kMinRam || *ram > kMaxRam) {
        spdlog::error("--ram {}: expected a size between 1M and 64G, like 512M", ram_text);
        return 125;
    }

    // The guest's umask (kept per process by the kernel personality) is the only one that
    // may apply to files it creates: the host's own must not mask them a second time.
    ::umask(0);

    os::KernelConfig config;
    config.ram_bytes = *ram;
    config.seed = seed;
    config.max_procs = max_procs;
    config.real_time = real_time;
    config.fault_log_dir = fault_log_dir;
    config.stats = stats;
    config.progress = true;
    if (!swap_text.empty()) {
        const auto swap = tools::parse_size(swap_text);
        if (!swap || *swap < 2 * 4096) {
            spdlog::error("--swap {}: expected a size of at least 8K, like 256M", swap_text);
            return 125;
        }
        config.swap_bytes = *swap;
    }
    if (!swap_file.empty() && swap_text.empty()) {
        spdlog::error("--swap-file needs --swap SIZE");
        return 125;
    }
    config.swap_file = swap_file;
    config.policy = policy;
    if (auto steps = pressure_steps(pressure_specs, *ram); steps) {
        config.pressure = std::move(*steps);
    } else {
        spdlog::error("--pressure: {}", steps.error());
        return 125;
    }
    if (auto rules = limit_rules(limit_specs); rules) {
        config.limits = std::move(*rules);
    } else {
        spdlog::error("--limit: {}", rules.error());
        return 125;
    }
    if (!timeout_text.empty()) {
        const auto t = tools::parse_duration_ns(timeout_text);
        if (!t || *t < 1'000'000) {
            spdlog::error("--timeout {}: expected a duration of at least 1ms, like 30s", timeout_text);
            return 125;
        }
        config.timeout_ms = *t / 1'000'000;
    }
    if (!sample_access_text.empty()) {
        const auto period = tools::parse_duration_ns(sample_access_text);
        if (!period || *period < 1000) {
            spdlog::error("--sample-access {}: expected a period of at least 1us, like 10ms", sample_access_text);
            return 125;
        }
        if (fault_log_dir.empty()) {
            spdlog::error("--sample-access needs --fault-log DIR (the samples go next to the fault logs)");
            return 125;
        }
        config.sample_access_ns = *period;
    }
    std::unique_ptr<os::trace::SyscallTracer> tracer;
    if (!trace_syscalls.empty()) {
        auto opened = os::trace::SyscallTracer::open(trace_syscalls);
        if (!opened) {
            spdlog::error("--trace-syscalls: {}", opened.error());
            return 125;
        }
        tracer = std::move(*opened);
        config.syscall_trace = tracer.get();
    }
    std::vector<std::string> envp;
    for (char** e = environ; *e; ++e)
        envp.emplace_back(*e);
    auto root = std::make_shared<os::fs::Root>();
    if (!root_dir.empty()) {
        auto confined = os::fs::Root::confine(root_dir);
        if (!confined) {
            spdlog::error("--root {}: {}", root_dir, confined.error());
            return 125;
        }
        *root = std::move(*confined);
    }
    root->set_read_only(read_only);
    config.root = root;
    const std::string program = resolve_program(command[0], *root);
    try {
        syscalls::Dispatcher dispatcher;
        os::Kernel kernel(config, dispatcher);
        if (const std::string problem = kernel.observation_error(); !problem.empty()) {
            spdlog::error("{}", problem);
            return 125;
        }
        return kernel.run(program, command, envp);
    } catch (const std::exception& e) {
        spdlog::error("internal error: {}", e.what());
        return 125;
    }
}
