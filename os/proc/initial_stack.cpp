#include "os/proc/initial_stack.h"

#include <algorithm>

#include "os/abi/elf.h"

namespace os::proc {

using linux_abi::Errno;
using namespace os::mm;
namespace abi = linux_abi;

namespace {

constexpr std::uint64_t kClockTicks = 100;     // CLOCKS_PER_SEC as Linux reports it
constexpr std::uint64_t kMinSigStackSize = 2048;
constexpr const char kPlatform[] = "x86_64";

// Pushes `s` with its NUL below `sp`; returns the string's address.
KResult<std::uint64_t> push_string(AddressSpace& mm, std::uint64_t& sp, const std::string& s) {
    sp -= s.size() + 1;
    TRY_VOID(mm.copy_to_user(sp, s.c_str(), s.size() + 1));
    return sp;
}

// The bytes the strings take on the stack, each with its NUL.
std::uint64_t string_bytes(const std::string& execfn, const std::vector<std::string>& argv,
                           const std::vector<std::string>& envp) {
    std::uint64_t total = execfn.size() + 1;
    for (const auto& s : argv)
        total += s.size() + 1;
    for (const auto& s : envp)
        total += s.size() + 1;
    return total;
}

}  // namespace

KResult<std::uint64_t> arg_string_budget(std::size_t argc, std::size_t envc, std::uint64_t stack_limit) {
    const std::uint64_t limit = std::max(std::min(kStkLim / 4 * 3, stack_limit / 4), kArgMax);
    // Counts this large cannot come from a guest's memory; refuse them before multiplying.
    const std::uint64_t pointers = std::max<std::uint64_t>(argc, 1) + envc;
    if (pointers > limit / 8 || limit <= pointers * 8)
        return err(Errno::e2big);
    return limit - pointers * 8;
}

KResult<void> check_arg_strings(std::uint64_t budget, std::uint64_t stack_limit, const std::string& execfn,
                                const std::vector<std::string>& argv, const std::vector<std::string>& envp) {
    for (const auto* list : {&argv, &envp})
        for (const auto& s : *list)
            if (s.size() + 1 > kMaxArgStrlen)
                return err(Errno::e2big);
    if (execfn.size() + 1 > kMaxArgStrlen)
        return err(Errno::e2big);
    const std::uint64_t strings = string_bytes(execfn, argv, envp);
    if (strings > budget)
        return err(Errno::e2big);
    // The strings are copied below a word at the top of the stack VMA, which may not grow
    // beyond the stack limit meanwhile (acct_stack_growth() in get_arg_page()).
    if (page_round_up(strings + 8) > stack_limit)
        return err(Errno::e2big);
    return {};
}

KResult<std::uint64_t> build_initial_stack(AddressSpace& mm, const StackImage& image) {
    const std::uint64_t budget = image.string_budget
                                     ? image.string_budget
                                     : TRY(arg_string_budget(image.argv.size(), image.envp.size(), image.stack_limit));
    TRY_VOID(check_arg_strings(budget, image.stack_limit, image.execfn, image.argv, image.envp));
    const std::uint64_t strings = string_bytes(image.execfn, image.argv, image.envp);

    // The stack VMA: the argument pages plus kStackExpand below them, or as much of that as
    // the stack limit allows (setup_arg_pages()).
    const std::uint64_t top = kUserTop;
    const std::uint64_t arg_pages = page_round_up(strings + 8);
    const std::uint64_t rlim = page_round_down(image.stack_limit);
    const std::uint64_t length =
        arg_pages + kStackExpand > rlim ? std::max(arg_pages, rlim) : arg_pages + kStackExpand;
    MapRequest req;
    req.addr = top - length;
    req.length = length;
    req.prot = kProtRead | kProtWrite;
    req.vm_flags = kVmGrowsDown | kVmStack;
    req.placement = Placement::FixedNoReplace;
    req.name = "[stack]";
    TRY(mm.map(req));

    // Strings: the exec path highest, then envp and argv, each list copied last-first so
    // that element 0 ends up lowest (copy_strings()).
    std::uint64_t sp = top - 8;
    const std::uint64_t execfn = TRY(push_string(mm, sp, image.execfn));
    std::vector<std::uint64_t> envp(image.envp.size()), argv(image.argv.size());
    for (std::size_t i = image.envp.size(); i-- > 0;)
        envp[i] = TRY(push_string(mm, sp, image.envp[i]));
    for (std::size_t i = image.argv.size(); i-- > 0;)
        argv[i] = TRY(push_string(mm, sp, image.argv[i]));
    // The argument and environment strings lie back to back: argv's, then envp's, then the
    // exec path (/proc/pid/cmdline and environ read them from here).
    mm.layout.arg_start = sp;
    mm.layout.arg_end = mm.layout.env_start = envp.empty() ? execfn : envp.front();
    mm.layout.env_end = execfn;

    sp &= ~std::uint64_t{15};
    const std::uint64_t platform = TRY(push_string(mm, sp, kPlatform));
    sp -= image.random.size();
    const std::uint64_t random = sp;
    TRY_VOID(mm.copy_to_user(random, image.random.data(), image.random.size()));

    const std::uint64_t auxv[][2] = {
        {abi::AT_MINSIGSTKSZ, kMinSigStackSize},
        {abi::AT_HWCAP, image.hwcap},
        {abi::AT_PAGESZ, kPageSize},
        {abi::AT_CLKTCK, kClockTicks},
        {abi::AT_PHDR, image.phdr},
        {abi::AT_PHENT, image.phent},
        {abi::AT_PHNUM, image.phnum},
        {abi::AT_BASE, image.interp_base},
        {abi::AT_FLAGS, 0},
        {abi::AT_ENTRY, image.entry},
        {abi::AT_UID, image.creds.uid},
        {abi::AT_EUID, image.creds.euid},
        {abi::AT_GID, image.creds.gid},
        {abi::AT_EGID, image.creds.egid},
        {abi::AT_SECURE, 0},
        {abi::AT_RANDOM, random},
        {abi::AT_HWCAP2, 0},
        {abi::AT_EXECFN, execfn},
        {abi::AT_PLATFORM, platform},
        {abi::AT_NULL, 0},
    };

    // argc, argv[], NULL, envp[], NULL, then auxv; rsp ends 16-byte aligned (STACK_ROUND).
    std::vector<std::uint64_t> words;
    words.reserve(1 + argv.size() + 1 + envp.size() + 1 + 2 * std::size(auxv));
    words.push_back(argv.size());
    words.insert(words.end(), argv.begin(), argv.end());
    words.push_back(0);
    words.insert(words.end(), envp.begin(), envp.end());
    words.push_back(0);
    for (const auto& entry : auxv) {
        words.push_back(entry[0]);
        words.push_back(entry[1]);
    }
    sp = (sp - words.size() * 8) & ~std::uint64_t{15};
    TRY_VOID(mm.copy_to_user(sp, words.data(), words.size() * 8));
    mm.layout.start_stack = sp;
    return sp;
}

}  // namespace os::proc
