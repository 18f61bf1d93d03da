// /proc/pid/status, statm and stat (Linux 6.1 fs/proc/array.c and task_mmu.c's task_mem,
// task_statm). Memory numbers are the address space's own (procfs_maps.cpp's counters);
// identity and signals are the process's. What faultline does not have is printed as Linux
// prints it for a process without it: no tracer, no supplementary groups, no seccomp, one
// CPU and one memory node, no context switches counted yet.
#include <algorithm>
#include <cstdio>

#include "os/fs/procfs.h"
#include "os/fs/procfs_internal.h"
#include "os/proc/process.h"

namespace os::fs::procfs {

using namespace os::mm;
using namespace detail;

namespace {

constexpr int kRlimitSigpending = 11;
constexpr int kRlimitRss = 5;
constexpr int kSigchld = 17;
constexpr int kNumCaps = 41;  // CAP_LAST_CAP + 1 in Linux 6.1 (CAP_CHECKPOINT_RESTORE = 40)
constexpr unsigned kMaxNumNodes = 1024;  // CONFIG_NODES_SHIFT=10, as Debian builds it

std::uint64_t pages_kb(std::uint64_t pages) { return pages << (kPageShift - 10); }

// proc_task_name() with escaping: only newline and backslash are escaped, as \n and \\.
std::string escaped_comm(const std::string& comm) {
    std::string out;
    for (char ch : comm) {
        if (ch == '\n')
            out += "\\n";
        else if (ch == '\\')
            out += "\\\\";
        else
            out += ch;
    }
    return out;
}

// render_sigset_t / render_cap_t: 16 hex digits.
void put_mask(std::string& out, std::string_view label, std::uint64_t mask) {
    put_hex(out, label, mask, 16);
    out += '\n';
}

// Linux's FDSize: the descriptor table's capacity, 64 (BITS_PER_LONG) until a descriptor
// beyond it is used, then grown as expand_fdtable() grows it.
std::uint64_t fd_table_size(proc::Process& p) {
    int highest = -1;
    for (int fd = 0; fd < fs::FileTable::kMaxFds; ++fd)
        if (p.files().get(fd))
            highest = fd;
    if (highest < 64)
        return 64;
    // alloc_fdtable(): round up to a power of two of 1 KiB blocks of pointers.
    std::uint64_t blocks = static_cast<std::uint64_t>(highest) / 128;
    std::uint64_t nr = 1;
    while (nr < blocks + 1)
        nr <<= 1;
    return std::min<std::uint64_t>(nr * 128, fs::FileTable::kMaxFds);
}

struct SignalSets {
    std::uint64_t ignored = 0, caught = 0;
};

SignalSets signal_sets(proc::Process& p) {
    SignalSets s;
    for (int sig = 1; sig <= linux_abi::kNumSignals; ++sig) {
        const std::uint64_t handler = p.sigaction(sig).handler;
        const std::uint64_t bit = 1ull << (sig - 1);
        if (handler == linux_abi::SIG_IGN)
            s.ignored |= bit;
        else if (handler != linux_abi::SIG_DFL)
            s.caught |= bit;
    }
    return s;
}

// task_mem's split of exec_vm into the program's text and everything else ("libraries").
struct TextSplit {
    std::uint64_t text_bytes = 0, lib_bytes = 0;
};

std::uint64_t code_bytes(const AddressSpace& mm) {
    if (mm.layout.end_code <= mm.layout.start_code)
        return 0;
    return page_round_up(mm.layout.end_code) - page_round_down(mm.layout.start_code);
}

TextSplit split_text(const AddressSpace& mm, const MmCounters& c) {
    TextSplit t;
    const std::uint64_t exec_bytes = c.exec_vm << kPageShift;
    t.text_bytes = std::min(code_bytes(mm), exec_bytes);
    t.lib_bytes = exec_bytes - t.text_bytes;
    return t;
}

// A bitmap as %*pb prints it: 32-bit groups in hex, most significant first, separated by
// commas; the first group only as wide as its bits need.
std::string bitmap_hex(std::uint64_t low_word, unsigned nbits) {
    std::string out;
    const unsigned groups = (nbits + 31) / 32;
    for (unsigned g = groups; g-- > 0;) {
        const unsigned bits_here = std::min(32u, nbits - g * 32);
        const std::uint64_t mask = bits_here == 32 ? 0xffff'ffffull : (1ull << bits_here) - 1;
        const std::uint64_t value = g == 0 ? low_word & mask : 0;
        if (!out.empty())
            out += ',';
        // Hex digits by hand, most significant first: at most 8 per group (snprintf's "%0*x"
        // made GCC 12 under -fsanitize=address see an unbounded width: -Wformat-truncation).
        static constexpr char kHexDigits[] = "0123456789abcdef";
        for (unsigned d = (bits_here + 3) / 4; d-- > 0;)
            out += kHexDigits[(value >> (4 * d)) & 0xf];
    }
    return out;
}

}  // namespace

std::string status(proc::Process& p, const proc::Task* t) {
    const std::uint64_t blocked = t ? t->signal_mask : 0;
    const std::uint64_t pending = t ? t->pending.set() : 0;
    AddressSpace& mm = p.mm();
    const MmCounters c = mm_counters(mm);
    const TextSplit text = split_text(mm, c);
    const SignalSets sigs = signal_sets(p);
    std::string out;

    out += "Name:\t" + escaped_comm(p.comm()) + "\n";
    char umask[16];
    std::snprintf(umask, sizeof(umask), "%#04o", static_cast<unsigned>(p.umask()));
    out += "Umask:\t" + std::string(umask) + "\n";
    out += "State:\tR (running)";
    put_dec(out, "\nTgid:\t", static_cast<std::uint64_t>(p.pid()));
    put_dec(out, "\nNgid:\t", 0);
    put_dec(out, "\nPid:\t", static_cast<std::uint64_t>(p.pid()));
    put_dec(out, "\nPPid:\t", static_cast<std::uint64_t>(p.ppid()));
    put_dec(out, "\nTracerPid:\t", 0);
    // Real, effective, saved and filesystem ids; the saved and filesystem ids follow the
    // effective ones (no set*id calls change them yet).
    put_dec(out, "\nUid:\t", p.creds.uid);
    put_dec(out, "\t", p.creds.euid);
    put_dec(out, "\t", p.creds.euid);
    put_dec(out, "\t", p.creds.euid);
    put_dec(out, "\nGid:\t", p.creds.gid);
    put_dec(out, "\t", p.creds.egid);
    put_dec(out, "\t", p.creds.egid);
    put_dec(out, "\t", p.creds.egid);
    put_dec(out, "\nFDSize:\t", fd_table_size(p));
    out += "\nGroups:\t ";  // no supplementary groups; Linux leaves a trailing space
    // One pid namespace; the process leads its own process group and session.
    put_dec(out, "\nNStgid:\t", static_cast<std::uint64_t>(p.pid()));
    put_dec(out, "\nNSpid:\t", static_cast<std::uint64_t>(p.pid()));
    put_dec(out, "\nNSpgid:\t", static_cast<std::uint64_t>(p.pgid));
    put_dec(out, "\nNSsid:\t", static_cast<std::uint64_t>(p.sid));
    out += '\n';

    // task_mem()
    put_dec(out, "VmPeak:\t", pages_kb(c.hiwater_vm), 8);
    put_dec(out, " kB\nVmSize:\t", pages_kb(c.total_vm), 8);
    put_dec(out, " kB\nVmLck:\t", pages_kb(c.locked_vm), 8);
    put_dec(out, " kB\nVmPin:\t", 0, 8);
    put_dec(out, " kB\nVmHWM:\t", pages_kb(c.hiwater_rss), 8);
    put_dec(out, " kB\nVmRSS:\t", pages_kb(c.rss()), 8);
    put_dec(out, " kB\nRssAnon:\t", pages_kb(c.anon), 8);
    put_dec(out, " kB\nRssFile:\t", pages_kb(c.file), 8);
    put_dec(out, " kB\nRssShmem:\t", pages_kb(c.shmem), 8);
    put_dec(out, " kB\nVmData:\t", pages_kb(c.data_vm), 8);
    put_dec(out, " kB\nVmStk:\t", pages_kb(c.stack_vm), 8);
    put_dec(out, " kB\nVmExe:\t", text.text_bytes >> 10, 8);
    put_dec(out, " kB\nVmLib:\t", text.lib_bytes >> 10, 8);
    put_dec(out, " kB\nVmPTE:\t", c.pgtables_bytes >> 10, 8);
    put_dec(out, " kB\nVmSwap:\t", pages_kb(c.swap_entries), 8);
    out += " kB\n";
    put_dec(out, "HugetlbPages:\t", 0, 8);
    out += " kB\n";
    out += "CoreDumping:\t0\n";
    out += "THP_enabled:\t1\n";

    // task_sig()
    put_dec(out, "Threads:\t", p.threads.size());
    put_dec(out, "\nSigQ:\t", static_cast<std::uint64_t>(__builtin_popcountll(pending | p.shared_pending().set())));
    put_dec(out, "/", p.rlimits[kRlimitSigpending].cur);
    out += '\n';
    put_mask(out, "SigPnd:\t", pending);
    put_mask(out, "ShdPnd:\t", 0);
    put_mask(out, "SigBlk:\t", blocked);
    put_mask(out, "SigIgn:\t", sigs.ignored);
    put_mask(out, "SigCgt:\t", sigs.caught);

    // task_cap(): root holds every capability, anyone else none; the bounding set is full.
    const std::uint64_t all_caps = (1ull << kNumCaps) - 1;
    const std::uint64_t held = p.creds.euid == 0 ? all_caps : 0;
    put_mask(out, "CapInh:\t", 0);
    put_mask(out, "CapPrm:\t", held);
    put_mask(out, "CapEff:\t", held);
    put_mask(out, "CapBnd:\t", all_caps);
    put_mask(out, "CapAmb:\t", 0);

    // task_seccomp()
    put_dec(out, "NoNewPrivs:\t", p.no_new_privs ? 1 : 0);
    out += "\nSeccomp:\t0\nSeccomp_filters:\t0";
    out += "\nSpeculation_Store_Bypass:\tthread vulnerable";
    out += "\nSpeculationIndirectBranch:\tconditional enabled\n";

    // task_cpus_allowed(), cpuset_task_status_allowed(): CPU 0 and node 0.
    out += "Cpus_allowed:\t" + bitmap_hex(1, 1) + "\n";
    out += "Cpus_allowed_list:\t0\n";
    out += "Mems_allowed:\t" + bitmap_hex(1, kMaxNumNodes) + "\n";
    out += "Mems_allowed_list:\t0\n";

    // task_context_switch_counts()
    out += "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n";
    return out;
}

std::string statm(AddressSpace& mm) {
    const MmCounters c = mm_counters(mm);
    // task_statm(): size resident shared text lib data dt, in pages.
    const std::uint64_t shared = c.file + c.shmem;
    const std::uint64_t text = code_bytes(mm) >> kPageShift;
    std::string out;
    put_dec(out, "", c.total_vm);
    put_dec(out, " ", shared + c.anon);
    put_dec(out, " ", shared);
    put_dec(out, " ", text);
    put_dec(out, " ", 0);
    put_dec(out, " ", c.data_vm + c.stack_vm);
    put_dec(out, " ", 0);
    out += '\n';
    return out;
}

std::string stat(proc::Process& p, const proc::Task* t) {
    const std::uint64_t blocked = t ? t->signal_mask : 0;
    const std::uint64_t pending = (t ? t->pending.set() : 0) | p.shared_pending().set();
    AddressSpace& mm = p.mm();
    const MmCounters c = mm_counters(mm);
    const SignalSets sigs = signal_sets(p);
    const auto& faults = mm.fault_counters();
    const std::uint64_t pid = static_cast<std::uint64_t>(p.pid());
    std::string out;
    // do_task_stat(). Times are 0: faultline does not account CPU time per process yet, and
    // the process started when the emulated machine did.
    put_dec(out, "", pid);
    out += " (" + p.comm() + ") R";
    put_dec_signed(out, " ", p.ppid());
    put_dec_signed(out, " ", p.pgid);
    put_dec_signed(out, " ", p.sid);
    put_dec_signed(out, " ", 0);        // tty_nr
    put_dec_signed(out, " ", -1);       // tty_pgrp
    put_dec(out, " ", 0);               // flags: no PF_RANDOMIZE, faultline does not randomize
    put_dec(out, " ", faults.minor);
    put_dec(out, " ", 0);
    put_dec(out, " ", faults.major);
    put_dec(out, " ", 0);
    put_dec(out, " ", 0);              // utime
    put_dec(out, " ", 0);              // stime
    put_dec_signed(out, " ", 0);       // cutime
    put_dec_signed(out, " ", 0);       // cstime
    put_dec_signed(out, " ", 20);      // priority
    put_dec_signed(out, " ", 0);       // nice
    put_dec_signed(out, " ", 1);       // num_threads
    put_dec(out, " ", 0);              // itrealvalue
    put_dec(out, " ", 0);              // start_time
    put_dec(out, " ", c.total_vm << kPageShift);
    put_dec(out, " ", c.rss());
    put_dec(out, " ", p.rlimits[kRlimitRss].cur);
    put_dec(out, " ", mm.layout.start_code);
    put_dec(out, " ", mm.layout.end_code);
    put_dec(out, " ", mm.layout.start_stack);
    put_dec(out, " ", 0);  // esp, eip: only shown for a task dumping core
    put_dec(out, " ", 0);
    put_dec(out, " ", pending & 0x7fffffff);
    put_dec(out, " ", blocked & 0x7fffffff);
    put_dec(out, " ", sigs.ignored & 0x7fffffff);
    put_dec(out, " ", sigs.caught & 0x7fffffff);
    put_dec(out, " ", 0);  // wchan
    put_dec(out, " ", 0);
    put_dec(out, " ", 0);
    put_dec_signed(out, " ", kSigchld);  // exit_signal
    put_dec_signed(out, " ", 0);         // processor
    put_dec(out, " ", 0);                // rt_priority
    put_dec(out, " ", 0);                // policy
    put_dec(out, " ", 0);                // delayacct_blkio_ticks
    put_dec(out, " ", 0);                // guest_time
    put_dec_signed(out, " ", 0);         // cguest_time
    put_dec(out, " ", mm.layout.start_data);
    put_dec(out, " ", mm.layout.end_data);
    put_dec(out, " ", mm.brk_start());
    put_dec(out, " ", mm.layout.arg_start);
    put_dec(out, " ", mm.layout.arg_end);
    put_dec(out, " ", mm.layout.env_start);
    put_dec(out, " ", mm.layout.env_end);
    put_dec_signed(out, " ", 0);  // exit_code
    out += '\n';
    return out;
}

}  // namespace os::fs::procfs
