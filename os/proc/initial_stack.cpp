#include "os/proc/initial_stack.h"

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

}  // namespace

KResult<std::uint64_t> build_initial_stack(AddressSpace& mm, const StackImage& image) {
    std::uint64_t strings = image.execfn.size() + 1;
    for (const auto& s : image.argv)
        strings += s.size() + 1;
    for (const auto& s : image.envp)
        strings += s.size() + 1;
    const std::uint64_t pointers = (image.argv.size() + image.envp.size() + 3) * 8;
    if (strings > kMaxArgBytes || pointers > kMaxArgBytes)
        return err(Errno::e2big);

    // The stack VMA: the argument pages plus kStackExpand below them.
    const std::uint64_t top = kUserTop;
    const std::uint64_t arg_pages = page_round_up(strings + 8);
    MapRequest req;
    req.addr = top - arg_pages - kStackExpand;
    req.length = arg_pages + kStackExpand;
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
