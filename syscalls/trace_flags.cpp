#include "syscalls/trace_flags.h"

#include <fmt/format.h>

#include "os/trace/signal_text.h"

namespace syscalls::trace {

namespace {

constexpr Named kProt[] = {{0x1, "PROT_READ"}, {0x2, "PROT_WRITE"}, {0x4, "PROT_EXEC"}, {0x8, "PROT_SEM"},
                           {0x01000000, "PROT_GROWSDOWN"}, {0x02000000, "PROT_GROWSUP"}};

constexpr Named kMapType[] = {{0x0, "MAP_FILE"}, {0x1, "MAP_SHARED"}, {0x2, "MAP_PRIVATE"},
                               {0x3, "MAP_SHARED_VALIDATE"}};
constexpr std::uint64_t kMapTypeMask = 0xf, kMapHugetlb = 0x40000, kMapHugeShift = 26, kMapHugeMask = 0x3f;
constexpr Named kMapFlags[] = {
    {0x10, "MAP_FIXED"},        {0x20, "MAP_ANONYMOUS"},    {0x40, "MAP_32BIT"},      {0x100, "MAP_GROWSDOWN"},
    {0x800, "MAP_DENYWRITE"},   {0x1000, "MAP_EXECUTABLE"}, {0x2000, "MAP_LOCKED"},   {0x4000, "MAP_NORESERVE"},
    {0x8000, "MAP_POPULATE"},   {0x10000, "MAP_NONBLOCK"},  {0x20000, "MAP_STACK"},   {0x40000, "MAP_HUGETLB"},
    {0x80000, "MAP_SYNC"},      {0x100000, "MAP_FIXED_NOREPLACE"}};
constexpr Named kMapUninitialized[] = {{0x4000000, "MAP_UNINITIALIZED"}};

constexpr Named kMremap[] = {{0x1, "MREMAP_MAYMOVE"}, {0x2, "MREMAP_FIXED"}, {0x4, "MREMAP_DONTUNMAP"}};
constexpr Named kMsync[] = {{0x1, "MS_ASYNC"}, {0x2, "MS_INVALIDATE"}, {0x4, "MS_SYNC"}};
constexpr Named kMlockall[] = {{0x1, "MCL_CURRENT"}, {0x2, "MCL_FUTURE"}, {0x4, "MCL_ONFAULT"}};
constexpr Named kMadvise[] = {
    {0, "MADV_NORMAL"},         {1, "MADV_RANDOM"},          {2, "MADV_SEQUENTIAL"},     {3, "MADV_WILLNEED"},
    {4, "MADV_DONTNEED"},       {8, "MADV_FREE"},            {9, "MADV_REMOVE"},         {10, "MADV_DONTFORK"},
    {11, "MADV_DOFORK"},        {12, "MADV_MERGEABLE"},      {13, "MADV_UNMERGEABLE"},   {14, "MADV_HUGEPAGE"},
    {15, "MADV_NOHUGEPAGE"},    {16, "MADV_DONTDUMP"},       {17, "MADV_DODUMP"},        {18, "MADV_WIPEONFORK"},
    {19, "MADV_KEEPONFORK"},    {20, "MADV_COLD"},           {21, "MADV_PAGEOUT"},       {22, "MADV_POPULATE_READ"},
    {23, "MADV_POPULATE_WRITE"}, {24, "MADV_DONTNEED_LOCKED"}, {25, "MADV_COLLAPSE"},    {100, "MADV_HWPOISON"},
    {101, "MADV_SOFT_OFFLINE"}};

constexpr Named kOpenAccess[] = {{0, "O_RDONLY"}, {1, "O_WRONLY"}, {2, "O_RDWR"}, {3, "O_ACCMODE"}};
// strace's order: O_SYNC before O_DSYNC (it contains it), O_TMPFILE before O_DIRECTORY.
constexpr Named kOpenFlags[] = {
    {0100, "O_CREAT"},        {0200, "O_EXCL"},          {0400, "O_NOCTTY"},      {01000, "O_TRUNC"},
    {02000, "O_APPEND"},      {04000, "O_NONBLOCK"},     {04010000, "O_SYNC"},    {010000, "O_DSYNC"},
    {020000, "O_ASYNC"},      {040000, "O_DIRECT"},      {0100000, "O_LARGEFILE"}, {0400000, "O_NOFOLLOW"},
    {020200000, "O_TMPFILE"}, {0200000, "O_DIRECTORY"},  {01000000, "O_NOATIME"}, {02000000, "O_CLOEXEC"},
    {010000000, "O_PATH"}};

constexpr Named kAtFlags[] = {{0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"},
                              {0x400, "AT_SYMLINK_FOLLOW"},   {0x800, "AT_NO_AUTOMOUNT"},
                              {0x1000, "AT_EMPTY_PATH"},      {0x2000, "AT_STATX_FORCE_SYNC"},
                              {0x4000, "AT_STATX_DONT_SYNC"}, {0x8000, "AT_RECURSIVE"}};
constexpr Named kAccess[] = {{4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}};
constexpr Named kFileType[] = {{0140000, "S_IFSOCK"}, {0120000, "S_IFLNK"}, {0100000, "S_IFREG"},
                               {060000, "S_IFBLK"},   {040000, "S_IFDIR"},  {020000, "S_IFCHR"},
                               {010000, "S_IFIFO"}};
constexpr Named kModeBits[] = {{04000, "S_ISUID"}, {02000, "S_ISGID"}, {01000, "S_ISVTX"}};
constexpr Named kStatxSync[] = {{0, "AT_STATX_SYNC_AS_STAT"}, {0x2000, "AT_STATX_FORCE_SYNC"},
                                 {0x4000, "AT_STATX_DONT_SYNC"}, {0x6000, "AT_STATX_SYNC_TYPE"}};
constexpr Named kStatxMask[] = {
    {0x7ff, "STATX_BASIC_STATS"}, {0x1, "STATX_TYPE"},    {0x2, "STATX_MODE"},      {0x4, "STATX_NLINK"},
    {0x8, "STATX_UID"},           {0x10, "STATX_GID"},    {0x20, "STATX_ATIME"},    {0x40, "STATX_MTIME"},
    {0x80, "STATX_CTIME"},        {0x100, "STATX_INO"},   {0x200, "STATX_SIZE"},    {0x400, "STATX_BLOCKS"},
    {0x800, "STATX_BTIME"},       {0x1000, "STATX_MNT_ID"}, {0x2000, "STATX_DIOALIGN"}, {0x4000, "STATX_MNT_ID_UNIQUE"},
    {0x8000, "STATX_SUBVOL"}};
constexpr Named kWhence[] = {{0, "SEEK_SET"}, {1, "SEEK_CUR"}, {2, "SEEK_END"}, {3, "SEEK_DATA"}, {4, "SEEK_HOLE"}};

constexpr Named kCloneFlags[] = {
    {0x100, "CLONE_VM"},
    {0x200, "CLONE_FS"},
    {0x400, "CLONE_FILES"},
    {0x800, "CLONE_SIGHAND"},
    {0x1000, "CLONE_PIDFD"},
    {0x2000, "CLONE_PTRACE"},
    {0x4000, "CLONE_VFORK"},
    {0x8000, "CLONE_PARENT"},
    {0x10000, "CLONE_THREAD"},
    {0x20000, "CLONE_NEWNS"},
    {0x40000, "CLONE_SYSVSEM"},
    {0x80000, "CLONE_SETTLS"},
    {0x100000, "CLONE_PARENT_SETTID"},
    {0x200000, "CLONE_CHILD_CLEARTID"},
    {0x400000, "CLONE_DETACHED"},
    {0x800000, "CLONE_UNTRACED"},
    {0x1000000, "CLONE_CHILD_SETTID"},
    {0x2000000, "CLONE_NEWCGROUP"},
    {0x4000000, "CLONE_NEWUTS"},
    {0x8000000, "CLONE_NEWIPC"},
    {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"},
    {0x40000000, "CLONE_NEWNET"},
    {0x80000000, "CLONE_IO"},
    {0x100000000, "CLONE_CLEAR_SIGHAND"},
    {0x200000000, "CLONE_INTO_CGROUP"},
};
constexpr std::uint64_t kCloneSignalMask = 0xff;

constexpr Named kWaitOptions[] = {{0x1, "WNOHANG"},         {0x2, "WUNTRACED"},      {0x4, "WEXITED"},
                                  {0x8, "WCONTINUED"},      {0x1000000, "WNOWAIT"},  {0x20000000, "__WNOTHREAD"},
                                  {0x40000000, "__WALL"},   {0x80000000, "__WCLONE"}};
constexpr Named kIdtype[] = {{0, "P_ALL"}, {1, "P_PID"}, {2, "P_PGID"}, {3, "P_PIDFD"}};

constexpr Named kFutexCmd[] = {
    {0, "FUTEX_WAIT"},         {1, "FUTEX_WAKE"},           {2, "FUTEX_FD"},          {3, "FUTEX_REQUEUE"},
    {4, "FUTEX_CMP_REQUEUE"},  {5, "FUTEX_WAKE_OP"},        {6, "FUTEX_LOCK_PI"},     {7, "FUTEX_UNLOCK_PI"},
    {8, "FUTEX_TRYLOCK_PI"},   {9, "FUTEX_WAIT_BITSET"},    {10, "FUTEX_WAKE_BITSET"}, {11, "FUTEX_WAIT_REQUEUE_PI"},
    {12, "FUTEX_CMP_REQUEUE_PI"}, {13, "FUTEX_LOCK_PI2"}};
constexpr std::uint64_t kFutexPrivate = 128, kFutexClockRealtime = 256;

constexpr Named kSigprocmaskHow[] = {{0, "SIG_BLOCK"}, {1, "SIG_UNBLOCK"}, {2, "SIG_SETMASK"}};
constexpr Named kSaFlags[] = {{0x04000000, "SA_RESTORER"}, {0x08000000, "SA_ONSTACK"}, {0x10000000, "SA_RESTART"},
                              {0x40000000, "SA_NODEFER"},  {0x80000000, "SA_RESETHAND"}, {0x4, "SA_SIGINFO"},
                              {0x1, "SA_NOCLDSTOP"},       {0x2, "SA_NOCLDWAIT"},     {0x800, "SA_EXPOSE_TAGBITS"}};
constexpr Named kClockId[] = {{0, "CLOCK_REALTIME"},         {1, "CLOCK_MONOTONIC"},     {2, "CLOCK_PROCESS_CPUTIME_ID"},
                              {3, "CLOCK_THREAD_CPUTIME_ID"}, {4, "CLOCK_MONOTONIC_RAW"}, {5, "CLOCK_REALTIME_COARSE"},
                              {6, "CLOCK_MONOTONIC_COARSE"}, {7, "CLOCK_BOOTTIME"},      {8, "CLOCK_REALTIME_ALARM"},
                              {9, "CLOCK_BOOTTIME_ALARM"},   {11, "CLOCK_TAI"}};
constexpr Named kRlimit[] = {{0, "RLIMIT_CPU"},       {1, "RLIMIT_FSIZE"},    {2, "RLIMIT_DATA"},
                             {3, "RLIMIT_STACK"},     {4, "RLIMIT_CORE"},     {5, "RLIMIT_RSS"},
                             {6, "RLIMIT_NPROC"},     {7, "RLIMIT_NOFILE"},   {8, "RLIMIT_MEMLOCK"},
                             {9, "RLIMIT_AS"},        {10, "RLIMIT_LOCKS"},   {11, "RLIMIT_SIGPENDING"},
                             {12, "RLIMIT_MSGQUEUE"}, {13, "RLIMIT_NICE"},    {14, "RLIMIT_RTPRIO"},
                             {15, "RLIMIT_RTTIME"}};
constexpr Named kArchPrctl[] = {{0x1001, "ARCH_SET_GS"},         {0x1002, "ARCH_SET_FS"},
                                {0x1003, "ARCH_GET_FS"},         {0x1004, "ARCH_GET_GS"},
                                {0x1011, "ARCH_GET_CPUID"},      {0x1012, "ARCH_SET_CPUID"},
                                {0x1021, "ARCH_GET_XCOMP_SUPP"}, {0x1022, "ARCH_GET_XCOMP_PERM"},
                                {0x1023, "ARCH_REQ_XCOMP_PERM"}, {0x2001, "ARCH_MAP_VDSO_X32"},
                                {0x2002, "ARCH_MAP_VDSO_32"},    {0x2003, "ARCH_MAP_VDSO_64"}};
constexpr Named kPrctl[] = {{1, "PR_SET_PDEATHSIG"},       {2, "PR_GET_PDEATHSIG"},       {3, "PR_GET_DUMPABLE"},
                            {4, "PR_SET_DUMPABLE"},        {7, "PR_GET_KEEPCAPS"},        {8, "PR_SET_KEEPCAPS"},
                            {15, "PR_SET_NAME"},           {16, "PR_GET_NAME"},           {21, "PR_GET_SECCOMP"},
                            {22, "PR_SET_SECCOMP"},        {23, "PR_CAPBSET_READ"},       {24, "PR_CAPBSET_DROP"},
                            {29, "PR_SET_TIMERSLACK"},     {30, "PR_GET_TIMERSLACK"},     {35, "PR_SET_MM"},
                            {36, "PR_SET_CHILD_SUBREAPER"}, {37, "PR_GET_CHILD_SUBREAPER"}, {38, "PR_SET_NO_NEW_PRIVS"},
                            {39, "PR_GET_NO_NEW_PRIVS"},   {40, "PR_GET_TID_ADDRESS"},    {41, "PR_SET_THP_DISABLE"},
                            {42, "PR_GET_THP_DISABLE"},    {47, "PR_CAP_AMBIENT"},        {0x53564d41, "PR_SET_VMA"}};
constexpr Named kIoctl[] = {{0x5401, "TCGETS"},     {0x5402, "TCSETS"},     {0x5403, "TCSETSW"},
                            {0x5404, "TCSETSF"},    {0x540e, "TIOCSCTTY"},  {0x540f, "TIOCGPGRP"},
                            {0x5410, "TIOCSPGRP"},  {0x5413, "TIOCGWINSZ"}, {0x5414, "TIOCSWINSZ"},
                            {0x541b, "FIONREAD"},   {0x5421, "FIONBIO"},    {0x5422, "TIOCNOTTY"},
                            {0x5429, "TIOCGSID"},   {0x5450, "FIONCLEX"},   {0x5451, "FIOCLEX"},
                            {0x5452, "FIOASYNC"},   {0x80045430, "TIOCGPTN"}};
constexpr Named kFcntl[] = {{0, "F_DUPFD"},          {1, "F_GETFD"},         {2, "F_SETFD"},
                            {3, "F_GETFL"},          {4, "F_SETFL"},         {5, "F_GETLK"},
                            {6, "F_SETLK"},          {7, "F_SETLKW"},        {8, "F_SETOWN"},
                            {9, "F_GETOWN"},         {10, "F_SETSIG"},       {11, "F_GETSIG"},
                            {15, "F_SETOWN_EX"},     {16, "F_GETOWN_EX"},    {36, "F_OFD_GETLK"},
                            {37, "F_OFD_SETLK"},     {38, "F_OFD_SETLKW"},   {1024, "F_SETLEASE"},
                            {1025, "F_GETLEASE"},    {1026, "F_NOTIFY"},     {1030, "F_DUPFD_CLOEXEC"},
                            {1031, "F_SETPIPE_SZ"},  {1032, "F_GETPIPE_SZ"}, {1033, "F_ADD_SEALS"},
                            {1034, "F_GET_SEALS"}};
constexpr Named kGetrandom[] = {{1, "GRND_NONBLOCK"}, {2, "GRND_RANDOM"}, {4, "GRND_INSECURE"}};
constexpr Named kRusageWho[] = {{0, "RUSAGE_SELF"}, {~std::uint64_t{0}, "RUSAGE_CHILDREN"}, {1, "RUSAGE_THREAD"}};
constexpr Named kItimer[] = {{0, "ITIMER_REAL"}, {1, "ITIMER_VIRTUAL"}, {2, "ITIMER_PROF"}};
constexpr Named kRename[] = {{1, "RENAME_NOREPLACE"}, {2, "RENAME_EXCHANGE"}, {4, "RENAME_WHITEOUT"}};
constexpr Named kPoll[] = {{0x1, "POLLIN"},       {0x2, "POLLPRI"},     {0x4, "POLLOUT"},     {0x8, "POLLERR"},
                           {0x10, "POLLHUP"},     {0x20, "POLLNVAL"},   {0x40, "POLLRDNORM"}, {0x80, "POLLRDBAND"},
                           {0x100, "POLLWRNORM"}, {0x200, "POLLWRBAND"}, {0x400, "POLLMSG"},  {0x2000, "POLLRDHUP"}};

void add(std::string& out, std::string_view part) {
    if (!out.empty())
        out += '|';
    out += part;
}

std::uint64_t sign_extend32(std::uint64_t v) {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(v)));
}

}  // namespace

std::string flags_text(std::uint64_t value, std::span<const Named> names, std::string_view zero) {
    if (value == 0)
        return std::string(zero);
    std::string out;
    std::uint64_t left = value;
    for (const Named& n : names) {
        if (n.value && (left & n.value) == n.value) {
            add(out, n.name);
            left &= ~n.value;
        }
    }
    if (left)
        add(out, fmt::format("{:#x}", left));
    return out;
}

std::string enum_text(std::uint64_t value, std::span<const Named> names) {
    for (const Named& n : names)
        if (n.value == value)
            return std::string(n.name);
    return fmt::format("{:#x}", value);
}

std::string octal_text(std::uint64_t value) {
    std::string out = fmt::format("0{:o}", value);
    if (out.size() < 3)
        out.insert(0, 3 - out.size(), '0');
    return out;
}

std::string mmap_prot_text(std::uint64_t prot) { return flags_text(prot, kProt, "PROT_NONE"); }

std::string mmap_flags_text(std::uint64_t flags) {
    std::string out = enum_text(flags & kMapTypeMask, kMapType);
    std::uint64_t rest = flags & ~kMapTypeMask;
    std::uint64_t huge = 0;
    if (rest & kMapHugetlb) {
        huge = (rest >> kMapHugeShift) & kMapHugeMask;
        rest &= ~(kMapHugeMask << kMapHugeShift);
    }
    if (rest & ~kMapUninitialized[0].value)
        add(out, flags_text(rest & ~kMapUninitialized[0].value, kMapFlags));
    if (rest & kMapUninitialized[0].value)
        add(out, kMapUninitialized[0].name);
    if (huge)
        add(out, fmt::format("{}<<MAP_HUGE_SHIFT", huge));
    return out;
}

std::string mremap_flags_text(std::uint64_t flags) { return flags_text(flags, kMremap); }
std::string msync_flags_text(std::uint64_t flags) { return flags_text(flags, kMsync); }
std::string madvise_advice_text(std::uint64_t advice) { return enum_text(sign_extend32(advice), kMadvise); }
std::string mlockall_flags_text(std::uint64_t flags) { return flags_text(flags, kMlockall); }

std::string open_flags_text(std::uint64_t flags) {
    flags &= 0xffffffff;
    std::string out = enum_text(flags & 3, kOpenAccess);
    if (flags & ~std::uint64_t{3})
        add(out, flags_text(flags & ~std::uint64_t{3}, kOpenFlags));
    return out;
}

std::string fd_flags_text(std::uint64_t flags) { return flags_text(flags & 0xffffffff, kOpenFlags); }

std::string dirfd_text(std::uint64_t fd) {
    const auto v = static_cast<std::int32_t>(fd);
    return v == -100 ? "AT_FDCWD" : std::to_string(v);
}

std::string at_flags_text(std::uint64_t flags) { return flags_text(flags & 0xffffffff, kAtFlags); }

std::string access_mode_text(std::uint64_t mode) { return flags_text(mode & 0xffffffff, kAccess, "F_OK"); }

std::string file_mode_text(std::uint64_t mode) {
    std::string out;
    if (mode & 0170000)
        out = enum_text(mode & 0170000, kFileType);
    if (mode & 07000)
        add(out, flags_text(mode & 07000, kModeBits));
    add(out, octal_text(mode & 0777));
    if (mode & ~std::uint64_t{0177777})
        add(out, fmt::format("{:#x}", mode & ~std::uint64_t{0177777}));
    return out;
}

std::string device_text(std::uint64_t dev) {
    const std::uint64_t major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~std::uint64_t{0xfff});
    const std::uint64_t minor = (dev & 0xff) | ((dev >> 12) & ~std::uint64_t{0xff});
    auto hex = [](std::uint64_t v) { return v ? fmt::format("{:#x}", v) : std::string("0"); };
    return fmt::format("makedev({}, {})", hex(major), hex(minor));
}

std::string statx_flags_text(std::uint64_t flags) {
    flags &= 0xffffffff;
    std::string out = enum_text(flags & 0x6000, kStatxSync);
    if (flags & ~std::uint64_t{0x6000})
        add(out, flags_text(flags & ~std::uint64_t{0x6000}, kAtFlags));
    return out;
}

std::string statx_mask_text(std::uint64_t mask) { return flags_text(mask & 0xffffffff, kStatxMask); }

std::string whence_text(std::uint64_t whence) { return enum_text(whence & 0xffffffff, kWhence); }

std::string clone_flags_text(std::uint64_t flags) {
    std::string out;
    if (flags & ~kCloneSignalMask)
        out = flags_text(flags & ~kCloneSignalMask, kCloneFlags);
    if (flags & kCloneSignalMask)
        add(out, signal_text(flags & kCloneSignalMask));
    return out.empty() ? "0" : out;
}

std::string clone3_flags_text(std::uint64_t flags) {
    std::string out;
    if (flags & 0x80) {  // CLONE_NEWTIME: only clone3 has it (clone's low byte is the signal)
        out = "CLONE_NEWTIME";
        flags &= ~std::uint64_t{0x80};
    }
    if (flags || out.empty())
        out = flags_text(flags, kCloneFlags) + (out.empty() ? "" : "|" + out);
    return out;
}

std::string wait_options_text(std::uint64_t options) { return flags_text(options & 0xffffffff, kWaitOptions); }

std::string wait_status_text(int status) {
    const auto s = static_cast<std::uint32_t>(status);
    std::string out;
    if ((s & 0xff) == 0x7f)
        out = fmt::format("[{{WIFSTOPPED(s) && WSTOPSIG(s) == {}}}", signal_text((s >> 8) & 0xff));
    else if (s == 0xffff)
        out = "[{WIFCONTINUED(s)}";
    else if (s & 0x7f)
        out = fmt::format("[{{WIFSIGNALED(s) && WTERMSIG(s) == {}{}}}", signal_text(s & 0x7f),
                          (s & 0x80) ? " && WCOREDUMP(s)" : "");
    else
        out = fmt::format("[{{WIFEXITED(s) && WEXITSTATUS(s) == {}}}", (s >> 8) & 0xff);
    if ((s & 0xffff0000u) && s != 0xffff)
        out += fmt::format(" | {:#x}", s & 0xffff0000u);
    return out + "]";
}

std::string idtype_text(std::uint64_t idtype) { return enum_text(idtype & 0xffffffff, kIdtype); }

std::string futex_op_text(std::uint64_t op) {
    op &= 0xffffffff;
    const std::uint64_t cmd = op & ~(kFutexPrivate | kFutexClockRealtime);
    std::string out;
    for (const Named& n : kFutexCmd)
        if (n.value == cmd)
            out = std::string(n.name) + ((op & kFutexPrivate) ? "_PRIVATE" : "");
    if (out.empty())
        return fmt::format("{:#x}", op);
    if (op & kFutexClockRealtime)
        out += "|FUTEX_CLOCK_REALTIME";
    return out;
}

std::string signal_text(std::uint64_t sig) {
    const auto v = static_cast<std::int32_t>(sig);
    return v == 0 ? "0" : os::trace::signal_name(v);
}

std::string sigprocmask_how_text(std::uint64_t how) { return enum_text(how & 0xffffffff, kSigprocmaskHow); }
std::string sa_flags_text(std::uint64_t flags) { return flags_text(flags, kSaFlags); }
std::string clock_id_text(std::uint64_t clock) { return enum_text(clock & 0xffffffff, kClockId); }
std::string rlimit_resource_text(std::uint64_t resource) { return enum_text(resource & 0xffffffff, kRlimit); }
std::string arch_prctl_code_text(std::uint64_t code) { return enum_text(code & 0xffffffff, kArchPrctl); }
std::string prctl_option_text(std::uint64_t option) { return enum_text(option & 0xffffffff, kPrctl); }
std::string ioctl_request_text(std::uint64_t request) { return enum_text(request & 0xffffffff, kIoctl); }
std::string fcntl_cmd_text(std::uint64_t cmd) { return enum_text(cmd & 0xffffffff, kFcntl); }
std::string getrandom_flags_text(std::uint64_t flags) { return flags_text(flags & 0xffffffff, kGetrandom); }
std::string rusage_who_text(std::uint64_t who) { return enum_text(sign_extend32(who), kRusageWho); }
std::string itimer_which_text(std::uint64_t which) { return enum_text(which & 0xffffffff, kItimer); }
std::string rename_flags_text(std::uint64_t flags) { return flags_text(flags & 0xffffffff, kRename); }
std::string poll_events_text(std::uint64_t events) { return flags_text(events & 0xffff, kPoll); }

}  // namespace syscalls::trace
