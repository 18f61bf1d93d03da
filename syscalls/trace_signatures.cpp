// The argument kinds of each syscall, as strace shows them (x86-64 numbers). Syscalls
// faultline implements are all here, and the common ones it does not (so that a program's
// ENOSYS calls read well too); any other shows its six argument registers in hex.
#include "syscalls/trace_signatures.h"

#include <initializer_list>

namespace syscalls::trace {

namespace {

constexpr std::size_t kTableSize = 463;

using enum Arg;

constexpr Signature sig(std::initializer_list<Arg> args, ResultKind result = ResultKind::Decimal) {
    Signature s;
    std::size_t i = 0;
    for (Arg a : args)
        s.args[i++] = a;
    s.result = result;
    s.known = true;
    return s;
}

constexpr Signature laid_out(Layout layout, ResultKind result = ResultKind::Decimal) {
    Signature s;
    s.layout = layout;
    s.result = result;
    s.known = true;
    return s;
}

constexpr std::array<Signature, kTableSize> make_table() {
    std::array<Signature, kTableSize> t{};
    constexpr auto hex = ResultKind::Hex;
    // --- files and descriptors ---
    t[0] = sig({Int, BufOut, Uint});                     // read
    t[1] = sig({Int, BufIn, Uint});                      // write
    t[2] = sig({Path, OpenFlags, OpenMode});             // open
    t[3] = sig({Int});                                   // close
    t[4] = sig({Path, StatOut});                         // stat
    t[5] = sig({Int, StatOut});                          // fstat
    t[6] = sig({Path, StatOut});                         // lstat
    t[7] = sig({PollfdsIn, Uint, Int});                  // poll
    t[8] = sig({Int, Long, Whence});                     // lseek
    t[16] = sig({Int, IoctlRequest, Ptr});               // ioctl
    t[17] = sig({Int, BufOut, Uint, Long});              // pread64
    t[18] = sig({Int, BufIn, Uint, Long});               // pwrite64
    t[19] = sig({Int, IovOut, Int});                     // readv
    t[20] = sig({Int, IovIn, Int});                      // writev
    t[21] = sig({Path, AccessMode});                     // access
    t[22] = sig({IntPairOut});                           // pipe
    t[23] = sig({Int, Ptr, Ptr, Ptr, TimevalIn});        // select
    t[32] = sig({Int});                                  // dup
    t[33] = sig({Int, Int});                             // dup2
    t[40] = sig({Int, Int, Ptr, Uint});                  // sendfile
    t[72] = laid_out(Layout::Fcntl);                     // fcntl
    t[73] = sig({Int, Hex});                             // flock
    t[74] = sig({Int});                                  // fsync
    t[75] = sig({Int});                                  // fdatasync
    t[76] = sig({Path, Long});                           // truncate
    t[77] = sig({Int, Long});                            // ftruncate
    t[78] = sig({Int, Ptr, Uint});                       // getdents
    t[79] = sig({StrOut, Uint});                         // getcwd
    t[80] = sig({Path});                                 // chdir
    t[81] = sig({Int});                                  // fchdir
    t[82] = sig({Path, Path});                           // rename
    t[83] = sig({Path, Mode});                           // mkdir
    t[84] = sig({Path});                                 // rmdir
    t[85] = sig({Path, Mode});                           // creat
    t[86] = sig({Path, Path});                           // link
    t[87] = sig({Path});                                 // unlink
    t[88] = sig({Path, Path});                           // symlink
    t[89] = sig({Path, BufOut, Uint});                   // readlink
    t[90] = sig({Path, Mode});                           // chmod
    t[91] = sig({Int, Mode});                            // fchmod
    t[92] = sig({Path, Int, Int});                       // chown
    t[93] = sig({Int, Int, Int});                        // fchown
    t[94] = sig({Path, Int, Int});                       // lchown
    t[95] = sig({Mode}, ResultKind::Octal);              // umask
    t[133] = sig({Path, FileMode, Dev});                 // mknod
    t[137] = sig({Path, Ptr});                           // statfs
    t[138] = sig({Int, Ptr});                            // fstatfs
    t[161] = sig({Path});                                // chroot
    t[162] = sig({});                                    // sync
    t[187] = sig({Int, Long, Uint});                     // readahead
    t[188] = sig({Path, Str, BufIn, Uint, Hex});         // setxattr
    t[189] = sig({Path, Str, BufIn, Uint, Hex});         // lsetxattr
    t[190] = sig({Int, Str, BufIn, Uint, Hex});          // fsetxattr
    t[191] = sig({Path, Str, BufOut, Uint});             // getxattr
    t[192] = sig({Path, Str, BufOut, Uint});             // lgetxattr
    t[193] = sig({Int, Str, BufOut, Uint});              // fgetxattr
    t[194] = sig({Path, BufOut, Uint});                  // listxattr
    t[195] = sig({Path, BufOut, Uint});                  // llistxattr
    t[196] = sig({Int, BufOut, Uint});                   // flistxattr
    t[197] = sig({Path, Str});                           // removexattr
    t[198] = sig({Path, Str});                           // lremovexattr
    t[199] = sig({Int, Str});                            // fremovexattr
    t[213] = sig({Int});                                 // epoll_create
    t[217] = sig({Int, Ptr, Uint});                      // getdents64
    t[221] = sig({Int, Long, Long, Int});                // fadvise64
    t[232] = sig({Int, Ptr, Int, Int});                  // epoll_wait
    t[233] = sig({Int, Int, Int, Ptr});                  // epoll_ctl
    t[257] = sig({DirFd, Path, OpenFlags, OpenMode});    // openat
    t[258] = sig({DirFd, Path, Mode});                   // mkdirat
    t[259] = sig({DirFd, Path, FileMode, Dev});          // mknodat
    t[260] = sig({DirFd, Path, Int, Int, AtFlags});      // fchownat
    t[262] = sig({DirFd, Path, StatOut, AtFlags});       // newfstatat
    t[263] = sig({DirFd, Path, AtFlags});                // unlinkat
    t[264] = sig({DirFd, Path, DirFd, Path});            // renameat
    t[265] = sig({DirFd, Path, DirFd, Path, AtFlags});   // linkat
    t[266] = sig({Path, DirFd, Path});                   // symlinkat
    t[267] = sig({DirFd, Path, BufOut, Uint});           // readlinkat
    t[268] = sig({DirFd, Path, Mode});                   // fchmodat
    t[269] = sig({DirFd, Path, AccessMode});             // faccessat
    t[270] = sig({Int, Ptr, Ptr, Ptr, TimespecIn, Ptr}); // pselect6
    t[271] = sig({PollfdsIn, Uint, TimespecIn, SigsetIn, Uint});  // ppoll
    t[280] = sig({DirFd, Path, Ptr, AtFlags});           // utimensat
    t[284] = sig({Uint});                                // eventfd
    t[290] = sig({Uint, FdFlags});                       // eventfd2
    t[291] = sig({FdFlags});                             // epoll_create1
    t[292] = sig({Int, Int, FdFlags});                   // dup3
    t[293] = sig({IntPairOut, FdFlags});                 // pipe2
    t[295] = sig({Int, IovOut, Int, Long});              // preadv
    t[296] = sig({Int, IovIn, Int, Long});               // pwritev
    t[306] = sig({Int});                                 // syncfs
    t[316] = sig({DirFd, Path, DirFd, Path, RenameFlags});  // renameat2
    t[319] = sig({Str, FdFlags});                        // memfd_create
    t[326] = sig({Int, Ptr, Int, Ptr, Uint, Hex});       // copy_file_range
    t[332] = sig({DirFd, Path, StatxFlags, StatxMask, StatxOut});     // statx
    t[436] = sig({Int, Int, Hex});                       // close_range
    t[439] = sig({DirFd, Path, AccessMode, AtFlags});    // faccessat2
    t[452] = sig({DirFd, Path, Mode, AtFlags});          // fchmodat2
    // --- memory ---
    t[9] = sig({Ptr, Uint, Prot, MapFlags, Int, Hex}, hex);  // mmap
    t[10] = sig({Ptr, Uint, Prot});                      // mprotect
    t[11] = sig({Ptr, Uint});                            // munmap
    t[12] = sig({Ptr}, hex);                             // brk
    t[25] = laid_out(Layout::Mremap, hex);               // mremap
    t[26] = sig({Ptr, Uint, MsyncFlags});                // msync
    t[27] = sig({Ptr, Uint, MincoreOut});                     // mincore
    t[28] = sig({Ptr, Uint, Madvise});                   // madvise
    t[29] = sig({Hex, Uint, Hex});                       // shmget
    t[30] = sig({Int, Ptr, Hex}, hex);                   // shmat
    t[31] = sig({Int, Int, Ptr});                        // shmctl
    t[67] = sig({Ptr});                                  // shmdt
    t[149] = sig({Ptr, Uint});                           // mlock
    t[150] = sig({Ptr, Uint});                           // munlock
    t[151] = sig({MlockallFlags});                       // mlockall
    t[152] = sig({});                                    // munlockall
    t[325] = sig({Ptr, Uint, Mlock2Flags});              // mlock2
    t[324] = sig({Int, Hex, Int});                       // membarrier
    // --- processes ---
    t[56] = laid_out(Layout::Clone);                     // clone
    t[57] = sig({});                                     // fork
    t[58] = sig({});                                     // vfork
    t[59] = sig({Path, Argv, Envp});                     // execve
    t[60] = sig({Int});                                  // exit
    t[61] = sig({Int, WaitStatusOut, WaitOptions, Ptr}); // wait4
    t[63] = sig({UtsnameOut});                           // uname
    t[97] = sig({Resource, RlimitOut});                  // getrlimit
    t[98] = sig({RusageWho, Ptr});                       // getrusage
    t[99] = sig({Ptr});                                  // sysinfo
    t[100] = sig({Ptr});                                 // times
    t[101] = sig({Int, Int, Ptr, Ptr});                  // ptrace
    for (int nr : {39, 102, 104, 107, 108, 110, 111, 112, 186})  // getpid getuid getgid geteuid getegid
        t[nr] = sig({});                                          // getppid getpgrp setsid gettid
    t[105] = sig({Int});                                 // setuid
    t[106] = sig({Int});                                 // setgid
    t[109] = sig({Int, Int});                            // setpgid
    t[113] = sig({Int, Int});                            // setreuid
    t[114] = sig({Int, Int});                            // setregid
    t[115] = sig({Int, Ptr});                            // getgroups
    t[116] = sig({Int, Ptr});                            // setgroups
    t[117] = sig({Int, Int, Int});                       // setresuid
    t[118] = sig({Ptr, Ptr, Ptr});                       // getresuid
    t[119] = sig({Int, Int, Int});                       // setresgid
    t[120] = sig({Ptr, Ptr, Ptr});                       // getresgid
    t[121] = sig({Int});                                 // getpgid
    t[124] = sig({Int});                                 // getsid
    t[157] = laid_out(Layout::Prctl);                    // prctl
    t[158] = sig({ArchPrctlCode, Ptr});                  // arch_prctl
    t[160] = sig({Resource, RlimitIn});                  // setrlimit
    t[203] = sig({Int, Uint, Ptr});                      // sched_setaffinity
    t[204] = sig({Int, Uint, Ptr});                      // sched_getaffinity
    t[24] = sig({});                                     // sched_yield
    t[218] = sig({Ptr});                                 // set_tid_address
    t[231] = sig({Int});                                 // exit_group
    t[247] = sig({Idtype, Int, SiginfoOut, WaitOptions, Ptr});  // waitid
    t[273] = sig({Ptr, Uint});                           // set_robust_list
    t[274] = sig({Int, Ptr, Ptr});                       // get_robust_list
    t[302] = sig({Int, Resource, RlimitIn, RlimitOut});  // prlimit64
    t[309] = sig({Ptr, Ptr, Ptr});                       // getcpu
    t[317] = sig({Int, Hex, Ptr});                       // seccomp
    t[318] = sig({BufOutHex, Uint, GetrandomFlags});        // getrandom
    t[322] = sig({DirFd, Path, Argv, Envp, AtFlags});    // execveat
    t[334] = sig({Ptr, Hex, Hex, Hex});                  // rseq
    t[434] = sig({Int, Hex});                            // pidfd_open
    t[435] = laid_out(Layout::Clone3);                   // clone3
    // --- signals ---
    t[13] = sig({Signal, SigactionIn, SigactionOut, Uint});     // rt_sigaction
    t[14] = sig({SigprocmaskHow, SigsetIn, SigsetOut, Uint});   // rt_sigprocmask
    t[15] = laid_out(Layout::RtSigreturn);                      // rt_sigreturn
    t[34] = sig({});                                            // pause
    t[62] = sig({Int, Signal});                                 // kill
    t[127] = sig({SigsetOut, Uint});                            // rt_sigpending
    t[128] = sig({SigsetIn, SiginfoOut, TimespecIn, Uint}, ResultKind::Signal);   // rt_sigtimedwait
    t[129] = sig({Int, Signal, SiginfoIn});                     // rt_sigqueueinfo
    t[130] = sig({SigsetIn, Uint});                             // rt_sigsuspend
    t[131] = sig({StackIn, StackOut});                          // sigaltstack
    t[200] = sig({Int, Signal});                                // tkill
    t[234] = sig({Int, Int, Signal});                           // tgkill
    t[297] = sig({Int, Int, Signal, SiginfoIn});                // rt_tgsigqueueinfo
    t[424] = sig({Int, Signal, SiginfoIn, Hex});                // pidfd_send_signal
    // --- time ---
    t[35] = sig({TimespecIn, TimespecOut});                     // nanosleep
    t[36] = sig({ItimerWhich, Ptr});                            // getitimer
    t[37] = sig({Uint});                                        // alarm
    t[38] = sig({ItimerWhich, Ptr, Ptr});                       // setitimer
    t[96] = sig({TimevalOut, Ptr});                             // gettimeofday
    t[201] = sig({Ptr});                                        // time
    t[202] = laid_out(Layout::Futex);                           // futex
    t[228] = sig({ClockId, TimespecOut});                       // clock_gettime
    t[229] = sig({ClockId, TimespecOut});                       // clock_getres
    t[230] = sig({ClockId, TimerFlags, TimespecIn, TimespecOut});  // clock_nanosleep
    // --- sockets (not implemented: their ENOSYS reads like strace's) ---
    t[41] = sig({Int, Int, Int});                               // socket
    t[42] = sig({Int, Ptr, Int});                               // connect
    t[43] = sig({Int, Ptr, Ptr});                               // accept
    t[44] = sig({Int, BufIn, Uint, Hex, Ptr, Int});             // sendto
    t[45] = sig({Int, BufOut, Uint, Hex, Ptr, Ptr});            // recvfrom
    t[46] = sig({Int, Ptr, Hex});                               // sendmsg
    t[47] = sig({Int, Ptr, Hex});                               // recvmsg
    t[48] = sig({Int, Int});                                    // shutdown
    t[49] = sig({Int, Ptr, Int});                               // bind
    t[50] = sig({Int, Int});                                    // listen
    t[51] = sig({Int, Ptr, Ptr});                               // getsockname
    t[52] = sig({Int, Ptr, Ptr});                               // getpeername
    t[53] = sig({Int, Int, Int, IntPairOut});                   // socketpair
    t[54] = sig({Int, Int, Int, Ptr, Int});                     // setsockopt
    t[55] = sig({Int, Int, Int, Ptr, Ptr});                     // getsockopt
    t[288] = sig({Int, Ptr, Ptr, Hex});                         // accept4
    return t;
}

constexpr std::array<Signature, kTableSize> kTable = make_table();
constexpr Signature kUnknown{};

}  // namespace

const Signature& signature(std::uint64_t nr) { return nr < kTableSize ? kTable[nr] : kUnknown; }

}  // namespace syscalls::trace
